"""The console: server-rendered pages (Jinja2 + HTMX) in Arabic, French and English.

``jisr.web.console.install_console`` mounts it on the node's app; each page area is a module in
``jisr.web.pages`` listed in ``jisr.web.registry.PAGE_MODULES``.
"""
