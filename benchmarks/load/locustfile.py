"""Locust users for a node on loopback: screening checks and a console page.

Started by ``benchmarks.load.run`` (which sets up the node and reads the token from
``JISR_LOAD_TOKEN``); not meant to be pointed at anything but 127.0.0.1.
"""

from __future__ import annotations

import os
import random

from locust import FastHttpUser, between, task

TOKEN = os.environ.get("JISR_LOAD_TOKEN", "")
NAMES = os.environ.get("JISR_LOAD_NAMES", "Karim Benali").split("|")


class BorderOfficer(FastHttpUser):
    """Checks travellers (the hot path), and now and then opens a console page."""

    wait_time = between(0.0, 0.05)

    def on_start(self) -> None:
        self.headers = {"Authorization": f"Bearer {TOKEN}"}

    @task(20)
    def check_traveller(self) -> None:
        self.client.post(
            "/api/v1/screening/check",
            json={"name": random.choice(NAMES), "nationality": "MA"},  # noqa: S311
            headers=self.headers,
            name="/api/v1/screening/check",
        )

    @task(2)
    def console_sign_in_page(self) -> None:
        self.client.get("/sign-in")
