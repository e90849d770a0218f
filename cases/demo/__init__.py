"""cases/demo."""
