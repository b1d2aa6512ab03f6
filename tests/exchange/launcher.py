"""Serve one node with the exchange envelope handlers registered: ``launcher.py DIR PORT``.

Until ``jisr.exchange.federation`` is listed in ``jisr.federation.handlers.HANDLER_MODULES``,
``jisr serve`` does not handle exchange envelopes, so the end-to-end test serves nodes this way.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import uvicorn  # noqa: E402

from jisr.api.app import create_app  # noqa: E402
from jisr.federation.handlers import HANDLER_MODULES, assemble_registry  # noqa: E402
from jisr.federation.node import HANDLERS_KEY  # noqa: E402
from jisr.logs import configure_logging  # noqa: E402
from jisr.settings import load_settings  # noqa: E402

EXCHANGE = "jisr.exchange.federation"


def main() -> None:
    data_dir, port = Path(sys.argv[1]), int(sys.argv[2])
    settings = load_settings(data_dir)
    configure_logging("WARNING", json=True)
    app = create_app(settings)
    modules = HANDLER_MODULES if EXCHANGE in HANDLER_MODULES else (*HANDLER_MODULES, EXCHANGE)
    app.state.ctx.services[HANDLERS_KEY] = assemble_registry(modules)
    uvicorn.run(app, host="127.0.0.1", port=port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
