"""The meeting (sammanträde): its commands and terms, its records (state.py) and the aggregate
(aggregate.py), written in parts: agenda and attendance, paragraphs and decisions, entries in a
paragraph, the protocol after the meeting."""
