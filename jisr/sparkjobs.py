"""A Spark session for Jisr's batch jobs (graph resolution, batch screening), in one place.

Spark's Python workers run this interpreter and import this copy of ``jisr`` (``PYTHONPATH``);
on a cluster every executor needs the same ``jisr`` installed (see ``docs/screening.md``).

PySpark gives every Python worker of a session the same ``PYTHONHASHSEED``: the driver's when
it has one, else ``0`` (``"random"`` is replaced by ``0`` here, or each worker would hash
alike only by chance). A structure built in one process and used in another (the screening
index's keys are ``hash()`` values) needs that; ``hash_seed(spark)`` says which seed it is.

Imports nothing of Jisr's domains: any of them may use it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_MASTER = "local[2]"


def python_for_workers() -> None:
    """Spark's Python workers run this interpreter and import this copy of ``jisr``."""
    root = str(Path(__file__).resolve().parents[1])
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if root not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([root, *paths])


def hash_seed(spark: SparkSession) -> str | None:
    """The ``PYTHONHASHSEED`` of the session's Python workers, if it is a fixed one."""
    seed = spark.sparkContext.environment.get("PYTHONHASHSEED")
    return seed if seed is not None and seed.isdigit() else None


@contextmanager
def spark_session(
    app_name: str,
    master: str | None = None,
    *,
    partitions: int = 4,
    driver_memory: str = "2g",
) -> Iterator[SparkSession]:
    """A session on ``master`` (default ``local[2]``), stopped on exit.

    A session already active in this process (one a test module shares) is used as it is and
    left running; ``master`` and the other settings then do not apply."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        yield active
        return
    python_for_workers()
    own = os.environ.get("PYTHONHASHSEED")
    if own is not None and not own.isdigit():
        os.environ["PYTHONHASHSEED"] = "0"  # read once, by the session's context
    try:
        spark = (
            SparkSession.builder.master(master or DEFAULT_MASTER)
            .appName(app_name)
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", str(partitions))
            .config("spark.driver.memory", driver_memory)
            .getOrCreate()
        )
    finally:
        if own is not None:
            os.environ["PYTHONHASHSEED"] = own
    spark.sparkContext.setLogLevel("ERROR")
    try:
        yield spark
    finally:
        spark.stop()
