"""web/schemas."""
