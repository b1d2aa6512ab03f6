"""Identity: agencies, users, roles, passwords, TOTP, console sessions and API tokens.

Import from the modules (``jisr.identity.service`` for the services): this package imports
nothing itself, because ``agreements`` reads ``identity.models`` while identity asks policy.
"""
