"""`make load`: a bounded load test of the local stack (Locust, headless, in its own environment).

Three phases, each a Locust run of its own (the Makefile starts them):
- `Reader`: the route mix of real traffic, 20 clients for 60 s: 70% preview and related, 15% search,
  10% sections (the tree and a section's essays), 5% the full essay with the readers' tokens
  (the active subscriber's, and sometimes the lapsed reader's: a 403);
- `Burst`: many clients with no pause on one route, above the stage's throttling limit;
- the webhook under a flood (`make load-webhook`): `StripeEvents` sends Stripe's events, signed with
  stripe-python's own helper and the local endpoint's secret, one a second, each retried as Stripe
  retries (anything but a 2xx, again later); `WebhookJunk` floods POST /billing/webhook with unsigned
  junk, no pause, at ten times that rate or more (checked). Each signed event must be applied: the
  reader's record in the subscriptions table is read back after the run.

Targets, checked here: no 5xx other than 503, and every throttled request a 429 with the API's
JSON error body. Anything else fails the request (and the run's exit status). The stack's details
come from .dev/stack.json (`make dev-up`); only 127.0.0.1 is ever targeted.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import gevent
from locust import HttpUser, between, constant, constant_pacing, constant_throughput, events, task
from locust.env import Environment

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # infra/: the events the e2e tests send
from essays_cli import aws, stripefake

STACK = json.loads(Path(os.environ.get("STACK_FILE", ".dev/stack.json")).read_text(encoding="utf-8"))
API = STACK["apiUrl"].rstrip("/")
if urlsplit(API).hostname != "127.0.0.1":
    raise SystemExit(f"make load only targets the local stack on 127.0.0.1, not {API}")
ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(API))
PREFIX = urlsplit(API).path  # the stage's path on the emulator: /_aws/execute-api/<api>/<stage>
SUBSCRIBER, LAPSED = STACK["subscriberToken"], STACK["lapsedToken"]
WEBHOOK = urlsplit(STACK["webhookUrl"]).path

STATUSES: defaultdict[str, Counter[int]] = defaultdict(Counter)  # route -> status -> count
PROBLEMS: Counter[str] = Counter()  # what missed a target, and how often
CATALOG: dict[str, list[str]] = {}


@events.test_start.add_listener
def learn_the_catalog(environment: Environment, **_: Any) -> None:
    """Essay ids, section ids and title words, read through the API itself before the load."""
    if _webhook_scenario(environment):
        return  # the webhook's scenario reads no essays
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


# ---- the webhook under a flood -------------------------------------------------------------------

# Stripe's own schedule retries a failed delivery for up to three days (live mode), with exponential
# backoff; the same backoff here, in seconds instead of hours, so a run stays short.
RETRY_DELAYS = (1, 2, 4, 8, 16, 32)
SIGNED_TYPE = "customer.subscription.created"


@dataclass
class Delivery:
    """One signed event: who it is about, and each attempt at it (status, milliseconds)."""

    reader: stripefake.Reader
    event_id: str
    attempts: list[tuple[int, float]] = field(default_factory=list)
    outcome: str = ""
    applied_in: float | None = None  # seconds from the first attempt to the 2xx


DELIVERIES: list[Delivery] = []
IN_FLIGHT: list[gevent.Greenlet] = []  # deliveries still being tried
JUNK_PER_CLIENT = os.environ.get("JUNK_PER_CLIENT", "")
JUNK: list[tuple[float, float]] = []  # each junk request: when it left, when it was answered


def _webhook_scenario(environment: Environment) -> bool:
    return all(user in (StripeEvents, WebhookJunk) for user in environment.user_classes)


@events.init.add_listener
def warm_the_webhook(environment: Environment, **_: Any) -> None:
    """Before the run's clock starts: as many junk requests at once as there will be requests in
    flight (the clients, and a few retries beside the signed events), each answered. Every concurrent
    request needs an execution environment of its own, and starting one (seconds on a busy machine,
    as a cold start on Lambda) is not what the run measures."""
    if not _webhook_scenario(environment):
        return
    clients = (environment.parsed_options.num_users if environment.parsed_options else 1) + 4
    import urllib.error
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    def one(_: int) -> None:
        call = urllib.request.Request(STACK["webhookUrl"], data=b"{}", method="POST")  # 127.0.0.1, checked above
        try:
            urllib.request.urlopen(call, timeout=300).close()
        except urllib.error.HTTPError as error:
            error.close()

    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(one, range(clients)))


class StripeEvents(HttpUser):
    """Stripe: one signed event a second, each about a new reader (their subscription starts). Each is
    delivered on its own, as Stripe delivers: its retries never hold back the next event."""

    host = ORIGIN
    fixed_count = 1
    wait_time = constant_pacing(1)

    @task
    def send(self) -> None:
        reader = stripefake.Reader(f"load-{secrets.token_hex(8)}")
        event = stripefake.event_for(SIGNED_TYPE, reader)
        delivery = Delivery(reader, event["id"])
        DELIVERIES.append(delivery)
        IN_FLIGHT.append(gevent.spawn(self.deliver, delivery, json.dumps(event)))

    def deliver(self, delivery: Delivery, body: str) -> None:
        """Each attempt signed anew (a fresh timestamp), as Stripe signs its retries; 429 and 5xx are
        tried again after the next delay, anything else but a 2xx is a fault of ours."""
        first = time.monotonic()
        for delay in (*RETRY_DELAYS, None):
            headers = {
                "Content-Type": "application/json",
                "Stripe-Signature": stripefake.signed(body, STACK["stripeWebhookSecret"]),
            }
            started = time.monotonic()
            with self.client.post(
                WEBHOOK, data=body, headers=headers, name="webhook: signed event", catch_response=True
            ) as response:
                status = response.status_code
                delivery.attempts.append((status, (time.monotonic() - started) * 1000))
                STATUSES["webhook: signed event"][status] += 1
                if 200 <= status < 300:
                    delivery.outcome = _outcome(response.text)
                    delivery.applied_in = time.monotonic() - first
                    response.success()
                    return
                problem = _problem(status, response.text, (200,))  # 429 and 503 with our body: none
                if problem:
                    PROBLEMS[f"webhook: signed event: {problem}"] += 1
                    response.failure(problem)
                else:
                    response.success()
            if delay is None or (status < 500 and status != 429):
                return
            gevent.sleep(delay)


def _outcome(body: str) -> str:
    try:
        return str(json.loads(body)["outcome"])
    except (ValueError, KeyError, TypeError):
        return "?"


def _junk() -> tuple[bytes, dict[str, str]]:
    """What anyone who finds the URL can send: an event-shaped body with no signature, a made-up
    signature, or one made with another secret; or no JSON at all."""
    fake = stripefake.event_for(SIGNED_TYPE, stripefake.Reader(f"junk-{secrets.token_hex(4)}"))
    body = json.dumps(fake)
    kind = random.randrange(4)
    headers = {"Content-Type": "application/json"}
    if kind == 1:
        headers["Stripe-Signature"] = f"t={int(time.time())},v1={secrets.token_hex(32)}"
    elif kind == 2:
        headers["Stripe-Signature"] = stripefake.signed(body, "whsec_not_this_endpoints_secret")
    elif kind == 3:
        return secrets.token_bytes(512), {"Content-Type": "application/octet-stream"}
    return body.encode(), headers


class WebhookJunk(HttpUser):
    """The flood: unsigned junk at POST /billing/webhook (400, or 429 once throttled), JUNK_PER_CLIENT
    requests a second from each client, or with no pause at all when it is not set."""

    host = ORIGIN
    wait_time = constant_throughput(float(JUNK_PER_CLIENT)) if JUNK_PER_CLIENT else constant(0)

    @task
    def junk(self) -> None:
        body, headers = _junk()
        sent = time.monotonic()
        with self.client.post(WEBHOOK, data=body, headers=headers, name="webhook: junk", catch_response=True) as r:
            JUNK.append((sent, time.monotonic()))
            STATUSES["webhook: junk"][r.status_code] += 1
            problem = _problem(r.status_code, r.text, (400,))
            if problem:
                PROBLEMS[f"webhook: junk: {problem}"] += 1
                r.failure(problem)
            else:
                r.success()


def _applied(delivery: Delivery, table: Any) -> bool:
    """The reader's record says what the event said: that subscription of theirs, active."""
    item = table.get_item(Key={"userId": delivery.reader.user_id}, ConsistentRead=True).get("Item") or {}
    entry = (item.get("subscriptions") or {}).get(delivery.reader.subscription_id) or {}
    return bool(entry.get("status") == "active" and item.get("status") == "active")


def _subscriptions_table() -> Any:
    cloudformation = aws.emulator_client("cloudformation", STACK["endpointUrl"], STACK["region"])
    name = aws.stack_output(cloudformation, STACK["stackName"], "SubscriptionsTableName")
    return aws.emulator_resource("dynamodb", STACK["endpointUrl"], STACK["region"]).Table(name)


def _webhook_limits() -> tuple[float, float]:
    *_, api_id, stage = urlsplit(API).path.split("/")
    client = aws.emulator_client("apigateway", STACK["endpointUrl"], STACK["region"])
    settings = client.get_stage(restApiId=api_id, stageName=stage)["methodSettings"]
    webhook = settings.get("/~1billing~1webhook/POST") or settings.get("~1billing~1webhook/POST") or {}
    return float(webhook.get("throttlingRateLimit", 0)), float(webhook.get("throttlingBurstLimit", 0))


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def webhook_figures() -> list[str]:
    """The flood's and the signed events' figures; every signed event read back from the table."""
    if not DELIVERIES:
        return []
    gevent.joinall(IN_FLIGHT, timeout=sum(RETRY_DELAYS) + 60)  # every delivery seen through to its end
    table = _subscriptions_table()
    applied = [d for d in DELIVERIES if d.applied_in is not None and _applied(d, table)]
    for delivery in DELIVERIES:
        if delivery not in applied:
            PROBLEMS[f"webhook: signed event {delivery.event_id} not applied (attempts: {delivery.attempts})"] += 1
    span = (max(a for _, a in JUNK) - min(s for s, _ in JUNK)) if JUNK else 0.0  # the flood, first to last
    junk_rate = len(JUNK) / span if span else 0.0
    signed_rate = len(DELIVERIES) / span if span else 0.0
    if not signed_rate or junk_rate < 10 * signed_rate:
        PROBLEMS[f"webhook: junk at {junk_rate:.1f}/s is not ten times the signed events' {signed_rate:.1f}/s"] += 1
    attempts = [ms for d in DELIVERIES for _, ms in d.attempts]
    first_try = sum(1 for d in DELIVERIES if d.attempts and 200 <= d.attempts[0][0] < 300)
    retried = [len(d.attempts) - 1 for d in DELIVERIES if len(d.attempts) > 1]
    times = [d.applied_in for d in applied if d.applied_in is not None]
    junk = ", ".join(f"{n:,} × {status}" for status, n in sorted(STATUSES["webhook: junk"].items()))
    signed = ", ".join(f"{n:,} × {status}" for status, n in sorted(STATUSES["webhook: signed event"].items()))
    outcomes = ", ".join(f"{n} {o}" for o, n in Counter(d.outcome for d in applied).most_common())
    rate, burst = _webhook_limits()
    return [
        "",
        f"The webhook's own throttle on this stage: {rate:g} requests/s, burst {burst:g} (the readers' routes: "
        "the stage-wide limit, a bucket per method).",
        f"Junk: {len(JUNK):,} requests at {junk_rate:.1f}/s ({junk_rate / (signed_rate or 1):.0f}× the signed events' "
        f"{signed_rate:.1f}/s): {junk}.",
        f"Signed events: {len(DELIVERIES)} sent, {len(applied)} applied (read back from the reader's record; "
        f"the webhook said {outcomes or 'nothing'}); {first_try} on the first attempt, "
        f"{len(retried)} after retries (at most {max(retried, default=0)}); attempts: {signed}.",
        f"Signed events under the flood: p50 {_percentile(attempts, 0.5):.0f} ms, "
        f"p95 {_percentile(attempts, 0.95):.0f} ms per request; sent to applied p50 {_percentile(times, 0.5):.1f} s, "
        f"p95 {_percentile(times, 0.95):.1f} s.",
    ]


@events.quitting.add_listener
def report(environment: Environment, **_: Any) -> None:
    """Requests per second, p50/p95/p99 per route and status counts, as Markdown; exit 1 on a missed target."""
    webhook = webhook_figures()  # first: it waits for the deliveries still being retried
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
    if not CATALOG and not DELIVERIES:
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
    lines += webhook
    lines += [f"- missed: {problem} ({count})" for problem, count in PROBLEMS.most_common()]
    text = "\n".join(lines)
    print(text)
    if os.environ.get("LOAD_REPORT"):
        Path(os.environ["LOAD_REPORT"]).write_text(text + "\n", encoding="utf-8")
    environment.process_exit_code = 1 if PROBLEMS else 0
