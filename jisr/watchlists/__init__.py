"""Watchlists: lists from alerts and imported sources, screening in the node, the hit workflow."""
