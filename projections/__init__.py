"""Registers as projections of the event log: tables kept up to date exactly once by
following the notification log, rebuildable from it, and the queries over them."""
