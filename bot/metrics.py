"""Prometheus metrics, one registry per app (tests and several apps in a process don't
share counters). Label values are bounded sets (event names, outcomes, endpoint
templates, categories), never ids or repository names."""
from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

_DURATIONS = (0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300)


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self, registry: CollectorRegistry | None = None):
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.deliveries = Counter("cdk_review_webhook_deliveries", "Webhook deliveries by event and outcome",
                                  ["event", "outcome"], registry=r)
        self.jobs = Counter("cdk_review_jobs", "Jobs run by kind and outcome", ["kind", "outcome"], registry=r)
        self.reviews = Counter("cdk_review_reviews", "Completed reviews by check-run conclusion",
                               ["conclusion"], registry=r)
        self.review_seconds = Histogram("cdk_review_review_duration_seconds", "Time to review a pull request",
                                        buckets=_DURATIONS, registry=r)
        self.findings = Counter("cdk_review_findings", "Findings on changed lines by category",
                                ["category"], registry=r)
        self.api_calls = Counter("cdk_review_github_api_calls", "GitHub API requests by method and endpoint",
                                 ["method", "endpoint"], registry=r)
        self.api_errors = Counter("cdk_review_github_api_errors", "GitHub API requests that failed",
                                  ["method", "endpoint", "status"], registry=r)
        self.queue_depth = Gauge("cdk_review_queue_depth", "Jobs waiting in the queue", registry=r)

    def track_queue(self, depth: Callable[[], int]) -> None:
        """Read the queue depth at scrape time."""
        def read() -> float:
            try:
                return float(depth())
            except Exception:                      # a scrape must not fail because Redis is away
                return float("nan")
        self.queue_depth.set_function(read)

    def render(self) -> bytes:
        return generate_latest(self.registry)
