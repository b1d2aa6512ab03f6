"""Notifications: what each officer should know now, derived from the audit trail as acts are
committed (a message received, an alert to review, a hit, a partner unreachable), addressed by
policy, stored per user with read/unread, listed and streamed live. See docs/notifications.md."""
