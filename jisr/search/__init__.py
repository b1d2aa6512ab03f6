"""Search over every record a user may read: one index, policy in the query, audited."""
