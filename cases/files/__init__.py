"""The files of documents: stored by content (sha256) in one of several stores, streamed in
and out, their media type detected, their text extracted for search."""
