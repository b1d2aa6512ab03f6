"""Graph: statements with provenance, entity resolution across agencies' records, link analysis,
network export."""
