"""Datasette plugin shipped with orgnews (Chinese search over the archive)."""
