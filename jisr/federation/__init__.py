"""Federation: signed, encrypted envelopes between partner nodes. Knows no domain."""
