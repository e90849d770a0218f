"""cases/outbound."""
