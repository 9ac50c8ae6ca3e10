"""`make load`: a bounded load test of the local stack (Locust, headless, in its own environment).

Two phases, each a Locust run of its own (the Makefile starts them):
- `Reader`: the route mix of real traffic, 20 clients for 60 s: 70% preview and related, 15% search,
  10% sections (the tree and a section's essays), 5% the full essay with the readers' tokens
  (the active subscriber's, and sometimes the lapsed reader's: a 403);
- `Burst`: many clients with no pause on one route, above the stage's throttling limit.

Targets, checked here: no 5xx other than 503, and every throttled request a 429 with the API's
JSON error body. Anything else fails the request (and the run's exit status). The stack's details
come from .dev/stack.json (`make dev-up`); only 127.0.0.1 is ever targeted.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from locust import HttpUser, between, constant, events, task
from locust.env import Environment

STACK = json.loads(Path(os.environ.get("STACK_FILE", ".dev/stack.json")).read_text(encoding="utf-8"))
API = STACK["apiUrl"].rstrip("/")
if urlsplit(API).hostname != "127.0.0.1":
    raise SystemExit(f"make load only targets the local stack on 127.0.0.1, not {API}")
ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(API))
PREFIX = urlsplit(API).path  # the stage's path on the emulator: /_aws/execute-api/<api>/<stage>
SUBSCRIBER, LAPSED = STACK["subscriberToken"], STACK["lapsedToken"]

STATUSES: defaultdict[str, Counter[int]] = defaultdict(Counter)  # route -> status -> count
PROBLEMS: Counter[str] = Counter()  # what missed a target, and how often
CATALOG: dict[str, list[str]] = {}


@events.test_start.add_listener
def learn_the_catalog(environment: Environment, **_: Any) -> None:
    """Essay ids, section ids and title words, read through the API itself before the load."""
    import urllib.error
    import urllib.request

    def get(path: str) -> Any:
        for _ in range(30):  # the burst lowers the stage's limit first: wait out its 429s
            try:
                with urllib.request.urlopen(f"{API}{path}", timeout=30) as response:  # 127.0.0.1, checked above
                    return json.loads(response.read())
            except urllib.error.HTTPError as error:
                if error.code != 429:
                    raise
                time.sleep(1)
        raise RuntimeError(f"{path} stayed throttled")

    tree = get("/sections")
    sections = [s["id"] for level in tree["levels"] for subject in level["subjects"] for s in subject["sections"]]
    essays: list[str] = []
    words: set[str] = set()
    for section in sections:
        for essay in get(f"/sections/{section}/essays?limit=50")["essays"]:
            essays.append(essay["essayId"])
            words.add(max(essay["title"].split(), key=len).strip("?!.,:;'\"").lower())  # a title's longest word
    CATALOG.update(sections=sections, essays=essays, words=sorted(words))


class Client(HttpUser):
    host = ORIGIN
    abstract = True

    def call(self, route: str, path: str, token: str | None = None, expected: tuple[int, ...] = (200,)) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        with self.client.get(f"{PREFIX}{path}", headers=headers, name=route, catch_response=True) as response:
            status = response.status_code
            STATUSES[route][status] += 1
            problem = _problem(status, response.text, expected)
            if problem:
                PROBLEMS[f"{route}: {problem}"] += 1
                response.failure(problem)
            else:
                response.success()


def _problem(status: int, body: str, expected: tuple[int, ...]) -> str | None:
    if status == 429 or status == 503:  # the stage's throttling, DynamoDB's: fine, if the body is ours
        return None if _is_error_body(body) else f"{status} without the JSON error body"
    if status >= 500:
        return f"{status}"
    if status not in expected:
        return f"{status}, expected {'/'.join(map(str, expected))}"
    return None


def _is_error_body(body: str) -> bool:
    try:
        error = json.loads(body)["error"]
    except (ValueError, KeyError, TypeError):
        return False
    return isinstance(error, dict) and isinstance(error.get("code"), str) and isinstance(error.get("message"), str)


class Reader(Client):
    """Traffic as readers make it: a pause of 0.5-1.5 s between requests."""

    wait_time = between(0.5, 1.5)

    @task(35)
    def preview(self) -> None:
        self.call("GET /essays/{id}/preview", f"/essays/{random.choice(CATALOG['essays'])}/preview")

    @task(35)
    def related(self) -> None:
        self.call("GET /essays/{id}/related", f"/essays/{random.choice(CATALOG['essays'])}/related?limit=8")

    @task(15)
    def search(self) -> None:
        query = " ".join(random.sample(CATALOG["words"], k=random.randint(1, 2)))  # one word or two, as readers type
        self.call("GET /search", f"/search?q={query}&limit=10")

    @task(5)
    def tree(self) -> None:
        self.call("GET /sections", "/sections")

    @task(5)
    def section(self) -> None:
        self.call("GET /sections/{id}/essays", f"/sections/{random.choice(CATALOG['sections'])}/essays?limit=20")

    @task(5)
    def full_essay(self) -> None:
        essay = f"/essays/{random.choice(CATALOG['essays'])}"
        if random.random() < 0.8:
            self.call("GET /essays/{id} (subscriber)", essay, SUBSCRIBER)
        else:
            self.call("GET /essays/{id} (lapsed)", essay, LAPSED, expected=(403,))


class Burst(Client):
    """No pause, one route: more requests than the stage's throttling limit lets through."""

    wait_time = constant(0)

    @task
    def preview(self) -> None:
        essay = CATALOG["essays"][0]
        self.call("burst: GET /essays/{id}/preview", f"/essays/{essay}/preview", expected=(200, 429))


@events.quitting.add_listener
def report(environment: Environment, **_: Any) -> None:
    """Requests per second, p50/p95/p99 per route and status counts, as Markdown; exit 1 on a missed target."""
    stats = environment.stats
    lines = [
        "| route | requests | rps | p50 ms | p95 ms | p99 ms | statuses |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for entry in sorted(stats.entries.values(), key=lambda e: e.name):
        statuses = ", ".join(f"{count} × {status}" for status, count in sorted(STATUSES[entry.name].items()))
        lines.append(
            f"| {entry.name} | {entry.num_requests:,} | {entry.total_rps:.1f} "
            f"| {entry.get_response_time_percentile(0.5):.0f} | {entry.get_response_time_percentile(0.95):.0f} "
            f"| {entry.get_response_time_percentile(0.99):.0f} | {statuses} |"
        )
    total = stats.total
    lines.append(
        f"| all | {total.num_requests:,} | {total.total_rps:.1f} | {total.get_response_time_percentile(0.5):.0f} "
        f"| {total.get_response_time_percentile(0.95):.0f} | {total.get_response_time_percentile(0.99):.0f} | |"
    )
    if not CATALOG:
        PROBLEMS["the catalog could not be read before the load (see the log)"] += 1
    throttled = sum(counts[429] for counts in STATUSES.values())
    burst = [route for route in STATUSES if route.startswith("burst")]
    if burst and not throttled:
        PROBLEMS["the burst was never throttled: is the stack's throttling limit the local one (make dev-up)?"] += 1
    server_errors = sum(n for counts in STATUSES.values() for code, n in counts.items() if code >= 500 and code != 503)
    lines += [
        "",
        f"5xx other than 503: {server_errors}; throttled (429): {throttled}, every one with the JSON error body: "
        f"{'yes' if not any('429' in p for p in PROBLEMS) else 'no'}.",
    ]
    lines += [f"- missed: {problem} ({count})" for problem, count in PROBLEMS.most_common()]
    text = "\n".join(lines)
    print(text)
    if os.environ.get("LOAD_REPORT"):
        Path(os.environ["LOAD_REPORT"]).write_text(text + "\n", encoding="utf-8")
    environment.process_exit_code = 1 if PROBLEMS else 0
