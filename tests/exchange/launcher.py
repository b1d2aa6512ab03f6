"""Serve one node with the exchange envelope handlers registered: ``launcher.py DIR PORT``.

The node's own registry (``jisr.node.handler_registry``) includes exchange's handlers; the
end-to-end test serves nodes this way, in the same way as ``jisr serve``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import uvicorn  # noqa: E402

from jisr.logs import configure_logging  # noqa: E402
from jisr.node import create_app  # noqa: E402
from jisr.settings import load_settings  # noqa: E402


def main() -> None:
    data_dir, port = Path(sys.argv[1]), int(sys.argv[2])
    settings = load_settings(data_dir)
    configure_logging("WARNING", json=True)
    app = create_app(settings)
    uvicorn.run(app, host="127.0.0.1", port=port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
