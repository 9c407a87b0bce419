"""The auditor console: session list, replay with the audit timeline beside it, search."""
