"""Serving the snapshot: rendered artifacts, the shared store, responses, the WSGI fast path."""
