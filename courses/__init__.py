"""Slate's course engine: format, loader, validator, check kinds, and the catalog itself."""
