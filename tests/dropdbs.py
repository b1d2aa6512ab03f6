"""Drop the PostgreSQL databases a test run created, after the run: ``python -m tests.dropdbs
SERVER_URL NAME...`` (in the order given: copies before their template).

Each ``DROP DATABASE`` asks the server for a checkpoint; on a busy machine a worker's few
hundred databases took minutes to drop, all of it at the end of the run. The run hands the
list to this detached process and ends; a name it could not drop (the process killed) is
removed by the next run's start-up sweep (``tests/conftest.py``: its creating process is gone).
"""

from __future__ import annotations

import sys

from sqlalchemy import create_engine, text


def main(server_url: str, names: list[str]) -> None:
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
