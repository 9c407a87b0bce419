"""The instructor and auditor apps (for now: who is signed in; the live roster comes later)."""
