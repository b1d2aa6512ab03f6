"""Data-subject rights: access, correction and deletion requests, blocks and decisions."""
