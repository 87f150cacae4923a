"""Locust on the same trivial endpoint as the generator: fixed-rate users on one core.

Locust is a closed model; `constant_throughput` paces each user, and enough users are spawned
(BENCH_LOCUST_USERS) for the planned total (BENCH_RATE) to be reachable if Locust can keep up.
"""
import os

from locust import FastHttpUser, constant_throughput, task

os.sched_setaffinity(0, {0})
USERS = int(os.environ.get("BENCH_LOCUST_USERS", "100"))
RATE = float(os.environ.get("BENCH_RATE", "500"))


class HealthCheck(FastHttpUser):
    wait_time = constant_throughput(RATE / USERS)

    @task
    def health(self):
        self.client.get("/health")
