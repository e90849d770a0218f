"""A body (organ): its members, delegation order and delegated decisions (aggregate.py), and
the paragraph counter numbering its paragraphs through the year (paragraph_year.py)."""
