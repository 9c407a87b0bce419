"""The instructor console (instructors and admins): roster, watch, grid, help queue, pairing."""
