"""Swarmgate's three user classes for Locust, mirroring scenarios/ (same endpoints, weights and waits).

    locust -f locust/locustfile.py -H http://127.0.0.1:8080 ScalingSystemUser
    locust -f locust/locustfile.py -H http://127.0.0.1:8080 --headless -u 5 -r 5 -t 20s

Every run works on its own data: e-mail addresses carry a run id, so runs never collide and can be repeated.
A hot set of users is created when the test starts, before the measured requests, so reads have something to read.
REPLICAS (default 3) says how many /appN/health endpoints to rotate through.
"""

import itertools
import os
import random
import threading
import time
import uuid

from locust import HttpUser, between, events, task

REPLICAS = int(os.environ.get("REPLICAS", "3"))
HOT_SET_SIZE = int(os.environ.get("HOT_SET_SIZE", "100"))
RUN_ID = f"{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}"

_hot_ids = []
_hot_lock = threading.Lock()
_serial = itertools.count(1)


def new_email():
    return f"locust-{RUN_ID}-{next(_serial)}@example.test"


@events.test_start.add_listener
def seed_hot_set(environment, **_kwargs):
    """Creates the hot set with one bulk request before the users start (not counted in the statistics)."""
    import requests  # Locust depends on it

    users = [{"email": new_email(), "name": f"hot {i}"} for i in range(HOT_SET_SIZE)]
    response = requests.post(
        f"{environment.host}/api/users/bulk",
        json={"users": users},
        headers={"X-Request-ID": f"locust-seed-{RUN_ID}"},  # lets the gateway's log tell seeding from load
        timeout=10,
    )
    if response.status_code != 201:
        raise RuntimeError(f"seeding the hot set failed: POST /api/users/bulk answered {response.status_code}")
    with _hot_lock:
        _hot_ids[:] = [u["id"] for u in response.json()["items"]]


_conflicts = [0]


def _count_conflict():
    with _hot_lock:
        _conflicts[0] += 1


@events.test_stop.add_listener
def report_conflicts(**_kwargs):
    print(f"update conflicts (412, refetched and retried, not failures): {_conflicts[0]}")


def hot_id():
    with _hot_lock:
        return random.choice(_hot_ids) if _hot_ids else None


class ScalingSystemUser(HttpUser):
    """The whole API at a human pace: health checks, the user life cycle, and a check that the cache works."""

    wait_time = between(1, 3)

    def on_start(self):
        self.mine = []  # (id, etag) of users this simulated user created
        self.replica = random.randrange(REPLICAS)

    @task(5)
    def gateway_health(self):
        self.client.get("/gateway-health", name="/gateway-health")

    @task(10)
    def replica_health(self):
        self.replica = self.replica % REPLICAS + 1
        self.client.get(f"/app{self.replica}/health", name="/appN/health")

    @task(15)
    def create_user(self):
        body = {"email": new_email(), "name": "Scaling User"}
        with self.client.post("/api/users", json=body, name="/api/users", catch_response=True) as r:
            if r.status_code != 201:
                r.failure(f"expected 201, got {r.status_code}")
                return
            self.mine.append((r.json()["id"], r.headers.get("ETag")))

    @task(20)
    def get_user(self):
        user_id = self._some_id()
        if user_id is not None:
            self.client.get(f"/api/users/{user_id}", name="/api/users/:id")

    @task(8)
    def update_user(self):
        if not self.mine:
            return
        i = random.randrange(len(self.mine))
        user_id, etag = self.mine[i]
        for _attempt in range(3):
            with self.client.patch(
                f"/api/users/{user_id}",
                json={"name": f"renamed {random.randrange(1_000_000)}"},
                headers={"If-Match": etag or "*"},
                name="/api/users/:id [PATCH]",
                catch_response=True,
            ) as r:
                if r.status_code == 200:
                    self.mine[i] = (user_id, r.headers.get("ETag"))
                    return
                if r.status_code == 412:
                    # Someone else wrote first: a conflict, not a failure. Read the current version and retry.
                    r.success()
                    _count_conflict()
                    etag = self.client.get(f"/api/users/{user_id}", name="/api/users/:id").headers.get("ETag")
                    continue
                r.failure(f"expected 200 or 412, got {r.status_code}")
                return

    @task(12)
    def list_users(self):
        self.client.get("/api/users?limit=20", name="/api/users?limit")

    @task(3)
    def cache_check(self):
        user_id = self._some_id()
        if user_id is None:
            return
        self.client.get(f"/api/users/{user_id}", name="/api/users/:id")
        with self.client.get(f"/api/users/{user_id}", name="/api/users/:id [cache check]", catch_response=True) as r:
            if r.headers.get("X-Cache") != "HIT":
                r.failure(f"second read was X-Cache {r.headers.get('X-Cache')}, not HIT")

    @task(2)
    def delete_user(self):
        if self.mine:
            user_id, _etag = self.mine.pop()
            self.client.delete(f"/api/users/{user_id}", name="/api/users/:id [DELETE]")

    def _some_id(self):
        if self.mine and random.random() < 0.5:
            return random.choice(self.mine)[0]
        return hot_id()


class HighVolumeUser(HttpUser):
    """Many fast reads of a hot set of users: what the cache is for."""

    wait_time = between(0.1, 0.5)

    @task(10)
    def read_hot_user(self):
        user_id = hot_id()
        if user_id is not None:
            self.client.get(f"/api/users/{user_id}", name="/api/users/:id")

    @task(1)
    def health(self):
        self.client.get("/health", name="/health")


class AdminUser(HttpUser):
    """Batch work: bulk create, bulk lookup through the cache, the system overview."""

    wait_time = between(2, 5)

    @task(2)
    def bulk_create(self):
        users = [{"email": new_email(), "name": "bulk"} for _ in range(50)]
        with self.client.post("/api/users/bulk", json={"users": users}, name="/api/users/bulk", catch_response=True) as r:
            if r.status_code != 201:
                r.failure(f"expected 201, got {r.status_code}")

    @task(3)
    def bulk_lookup(self):
        with _hot_lock:
            ids = random.sample(_hot_ids, min(50, len(_hot_ids)))
        if ids:
            self.client.post("/api/users/lookup", json={"ids": ids}, name="/api/users/lookup")

    @task(1)
    def overview(self):
        self.client.get("/api/system/overview", name="/api/system/overview")
