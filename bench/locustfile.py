"""Simulated users for bench/load.py: cadres saving their village-year, officials reading rankings.

Think time is 3–10 s between actions: a cadre typing the next amounts, an official reading a table.
(bench/load.py --think "0.5 1.5" runs the same users with almost no pause, to find the saturation point.)

Each cadre owns one 2025 village-year (bench/load.py prepares them) and saves a new 经营收入 amount
again and again; the last amount each cadre saw accepted is written to LOAD_RESULT when the run
stops, so that bench/load.py can check that the database holds exactly what was saved.
"""

import json
import os
import random
import re
import threading

from locust import HttpUser, between, events, task

with open(os.environ["LOAD_PLAN"], encoding="utf-8") as _plan:
    PLAN = json.load(_plan)
PASSWORD = PLAN["password"]
THINK = [float(x) for x in os.environ.get("LOAD_THINK", "3 10").split()]
_cadres = iter(PLAN["cadres"])
_officials = iter(PLAN["officials"])
_lock = threading.Lock()
saved: dict[str, str] = {}  # village-year page path → last amount the server accepted
refused = {"conflicts": 0}

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')


def login(user, username: str) -> None:
    page = user.client.get("/accounts/login/", name="login page")
    token = CSRF.search(page.text).group(1)
    response = user.client.post("/accounts/login/", {"username": username, "password": PASSWORD,
                                                     "csrfmiddlewaretoken": token},
                                name="login", allow_redirects=False)
    if response.status_code != 302:
        raise RuntimeError(f"login failed for {username}: {response.status_code}")


class Cadre(HttpUser):
    weight = 1
    wait_time = between(*THINK)

    def on_start(self):
        with _lock:
            self.plan = next(_cadres)
        login(self, self.plan["username"])
        self.amount = 0

    @task
    def save_village_year(self):
        path = self.plan["path"]
        page = self.client.get(path, name="village-year page")
        token = CSRF.search(page.text).group(1)
        version = VERSION.search(page.text).group(1)
        self.amount += random.randint(1, 999)
        amount = f"{self.amount}.{random.randint(0, 99):02d}"
        response = self.client.post(path, {
            "csrfmiddlewaretoken": token, "version": version, "unit": "yuan",
            "explanation": "负载测试", f"line-{self.plan['item_id']}-0-name": "",
            f"line-{self.plan['item_id']}-0-amount": amount, "action": "save",
        }, name="village-year save", allow_redirects=False)
        if response.status_code == 302:
            with _lock:
                saved[path] = amount
        elif response.status_code == 409:
            refused["conflicts"] += 1
        else:
            response.failure(f"save refused: {response.status_code}")


class Official(HttpUser):
    weight = 1
    wait_time = between(*THINK)

    def on_start(self):
        with _lock:
            self.plan = next(_officials)
        login(self, self.plan["username"])

    @task(3)
    def village_table(self):
        self.client.get(f"/dashboards/villages/?year={random.choice([2023, 2024])}", name="village table")

    @task(2)
    def overview(self):
        self.client.get("/dashboards/", name="overview")

    @task(2)
    def town_table(self):
        self.client.get("/dashboards/towns/", name="town table")

    @task(1)
    def village_profile(self):
        self.client.get(f"/dashboards/village/{random.choice(self.plan['villages'])}/", name="village profile")


@events.quitting.add_listener
def write_result(environment, **kwargs):
    with open(os.environ["LOAD_RESULT"], "w", encoding="utf-8") as handle:
        json.dump({"saved": saved, "conflicts": refused["conflicts"]}, handle)
