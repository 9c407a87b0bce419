"""Slate's Textual apps (learner, instructor, auditor). The only package that imports textual."""
