"""Identity: agencies, users, roles, passwords, TOTP, console sessions and API tokens.

Import from the modules (``jisr.identity.service`` for the services). Agencies themselves are
the parties to agreements (``jisr.agreements.parties``, also named in ``identity.models``).
"""
