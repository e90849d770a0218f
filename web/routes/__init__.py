"""HTTP routes, one blueprint per area."""
