"""Domain events: immutable facts in the past tense, versioned with ``class_version``.

Every event carries ``actor`` (who recorded it) and ``occurred_on`` (the business date
it concerns); the library adds ``timestamp`` (when it was recorded).
"""
