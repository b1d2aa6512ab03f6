"""The node's monitoring edge: ``GET /metrics`` (``router``), the gauges it reads from the
database (``collector``) and the start-up hook that prepares both and tracing (``hooks``)."""
