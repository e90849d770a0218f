"""The pure domain of diarium: events, rules and value types (no Flask, SQL or HTTP)."""
