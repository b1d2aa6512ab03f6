"""HTTP API: one app factory, one error map, shared dependencies."""
