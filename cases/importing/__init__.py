"""Importing a legacy diary (docs/import.md)."""
