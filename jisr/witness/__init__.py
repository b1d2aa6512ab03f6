"""The witnessed log: this node's checkpoints sent to partners for co-signing, partners'
checkpoints verified and co-signed here, and the commands and API that verify it all.

It sits above ``jisr.audit`` (the trail, its Merkle tree and checkpoint formats, which know no
domain) and ``jisr.federation`` (the envelopes that carry checkpoints and co-signatures)."""
