"""Jisr: secure, lawful cooperation between partner security agencies."""

__version__ = "0.1.0"
