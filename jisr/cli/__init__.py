"""The ``jisr`` command line: a root Typer app mounting each domain's commands."""
