"""Targets: what a planned book is turned into for its readers (today, the web site)."""
