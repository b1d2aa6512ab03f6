"""Batch resolution of a FollowTheMoney file on an existing engine (DuckDB or Spark), through
the same profiles, blocking keys and comparison as the incremental linker."""
