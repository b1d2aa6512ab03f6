"""Cybercrime pillar: STIX 2.1 objects shared between partner CERTs, TLP 2.0, MISP, TAXII 2.1."""
