"""Slate's benchmarks: scripts that print tables (never timed assertions in tests)."""
