"""Slate's execution jail: sandboxes, limits, workspaces and history.

Imports nothing else of Slate's (never textual, never asyncssh).
"""
