"""Screening: a pure library (no database, no settings, no HTTP) matching people across scripts."""
