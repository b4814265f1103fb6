"""Versions of a book in git: the build stamp, what changed between two versions, publishing them."""
