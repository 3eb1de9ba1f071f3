"""REST tests, one module per part of ``core/api``, all over HTTP against the session's real Temporal server."""
