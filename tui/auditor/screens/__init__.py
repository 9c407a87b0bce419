"""The auditor console's screens: session list, replay with timeline, search, dialogs."""
