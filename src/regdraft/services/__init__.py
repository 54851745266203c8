"""Use cases over the store: each function takes a Session, flushes, and leaves the
commit to its caller, so that one request is one transaction."""
