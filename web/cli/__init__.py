"""web/cli."""
