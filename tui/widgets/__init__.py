"""Reusable widgets of Slate's apps (each carries its own DEFAULT_CSS)."""
