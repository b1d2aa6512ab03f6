"""Restrictions of processing: records held back while a data-subject request is reviewed.

``rights`` places and lifts them; the domains holding the records (``notices``) ask whether one
is held back. Kept apart from ``rights`` so that asking does not import the request workflow
(``rights`` acts on notices, so notices importing rights would be a cycle).
"""
