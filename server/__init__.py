"""Slate's server: CLI, config, store, SSH gateway, sessions, recorder, audit chain, runner.

Never imports textual. Kept empty so ``server.protocol`` can be imported cheaply by the TUI.
"""
