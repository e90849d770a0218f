"""cases/store."""
