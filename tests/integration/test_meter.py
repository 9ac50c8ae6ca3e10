"""The free-essay meter through the essay and me functions' entry points (moto), with the month's
clock injected; and the count under concurrency against ministack's DynamoDB, which applies
conditional writes one at a time as DynamoDB does (moto in process does not serialise them)."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from shared.access.billing import operator_grant
from shared.access.meter import EARNED, EARNED_KEPT
from shared.access.subscriptions import Status, Subscription
from shared.access.times import iso
from shared.store.dynamo import dynamodb_client
from shared.store.meter import MeterStore
from tests.conftest import (
    ROOT,
    LambdaContext,
    api_event,
    body_of,
    create_table_from_template,
    dynamodb_requests,
    earned_essay_event,
    sample_records,
)

USER = "7c1e9a52-3f0d-4b8e-9a61-2f5d8c4e1b7a"
METER_TABLE = "meter-test"
CONTEXT = LambdaContext()
NOV = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
ESSAYS = [
    "stalin-rise-to-power",
    "multiplier-effect",
    "weimar-republic-collapse",
    "macbeth-ambition",
    "great-gatsby-american-dream",
]


@pytest.fixture
def apps(library: str, ddb: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    create_table_from_template(ddb, "MeterTable", METER_TABLE)
    create_table_from_template(ddb, "SubscriptionsTable", "subscriptions-test")
    monkeypatch.setenv("FREE_ESSAYS_PER_MONTH", "3")
    essay = importlib.reload(importlib.import_module("functions.essay.app"))
    me = importlib.reload(importlib.import_module("functions.me.app"))
    for module in (essay, me):
        monkeypatch.setattr(module, "CLOCK", lambda: NOV)
    return type("Apps", (), {"essay": essay, "me": me})


def read(apps: Any, essay_id: str, access: str | None = "metered", user: str = USER) -> dict[str, Any]:
    event = api_event("essay", path_parameters={"essayId": essay_id})
    context = {"principalId": user, "userId": user, "plan": "" if access == "metered" else "Monthly"}
    event["requestContext"]["authorizer"] = {**context, **({"access": access} if access else {})}
    return dict(apps.essay.handler(event, CONTEXT))


def meter_of(apps: Any, user: str = USER) -> Any:
    event = api_event("me")
    event["requestContext"]["authorizer"].update(principalId=user, userId=user)
    return body_of(apps.me.handler(event, CONTEXT))["meter"]


def test_the_essay_ids_are_sample_essays() -> None:
    ids = {r.get("id") for r in sample_records()}
    assert set(ESSAYS) <= ids


def test_three_free_essays_then_the_paywall(apps: Any) -> None:
    used = []
    for essay_id in ESSAYS[:3]:
        response = read(apps, essay_id)
        assert response["statusCode"] == HTTPStatus.OK
        assert response["headers"]["Cache-Control"] == "private, no-store"
        access = body_of(response)["access"]
        assert access["kind"] == "metered" and access["limit"] == 3 and access["resetsAt"] == "2026-12-01T00:00:00Z"
        used.append(access["used"])
    assert used == [1, 2, 3]

    again = read(apps, ESSAYS[0])  # re-reading this month's essay is free
    assert again["statusCode"] == HTTPStatus.OK and body_of(again)["access"]["used"] == 3

    refused = read(apps, ESSAYS[3])
    assert refused["statusCode"] == HTTPStatus.FORBIDDEN
    assert refused["headers"]["Access-Control-Allow-Origin"] == "https://essays.example.com"
    error = body_of(refused)["error"]
    assert error["code"] == "subscription_required" and error["message"]
    assert error["plans"] == [{"name": "Monthly", "price": "6.99", "currency": "GBP", "period": "month"}]
    assert error["meter"] == {"used": 3, "limit": 3, "resetsAt": "2026-12-01T00:00:00Z"}
    assert "paragraphs" not in refused["body"]
    assert meter_of(apps) == {"used": 3, "limit": 3, "resetsAt": "2026-12-01T00:00:00Z"}


def test_the_meter_starts_again_on_the_first_of_the_month(apps: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    last_second = datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC)
    monkeypatch.setattr(apps.essay, "CLOCK", lambda: last_second)
    for essay_id in ESSAYS[:3]:
        assert read(apps, essay_id)["statusCode"] == HTTPStatus.OK
    assert read(apps, ESSAYS[3])["statusCode"] == HTTPStatus.FORBIDDEN

    monkeypatch.setattr(apps.essay, "CLOCK", lambda: datetime(2026, 12, 1, tzinfo=UTC))
    december = read(apps, ESSAYS[3])
    assert december["statusCode"] == HTTPStatus.OK
    assert body_of(december)["access"] == {
        "kind": "metered",
        "used": 1,
        "limit": 3,
        "resetsAt": "2027-01-01T00:00:00Z",
    }


def test_a_month_s_meter_item_expires_by_itself_a_day_after_the_month(apps: Any, ddb: Any) -> None:
    read(apps, ESSAYS[0])
    ttl = ddb.describe_time_to_live(TableName=METER_TABLE)["TimeToLiveDescription"]
    item = ddb.get_item(TableName=METER_TABLE, Key={"userId": {"S": USER}, "month": {"S": "2026-11"}})["Item"]
    assert ttl["TimeToLiveStatus"] == "ENABLED"
    assert item[ttl["AttributeName"]] == {"N": str(int(datetime(2026, 12, 2, tzinfo=UTC).timestamp()))}


def test_me_reads_the_meter_as_just_written(apps: Any) -> None:
    """A strongly consistent read: the count a reader has just spent shows at once, on any replica."""
    with dynamodb_requests("GetItem") as sent:
        read(apps, ESSAYS[0])
        assert meter_of(apps)["used"] == 1
    [meter_read] = [params for params in sent if params["TableName"] == METER_TABLE]
    assert meter_read["ConsistentRead"] is True


def test_subscribers_are_never_counted(apps: Any, ddb: Any) -> None:
    for essay_id in ESSAYS:
        response = read(apps, essay_id, access="subscription")
        assert response["statusCode"] == HTTPStatus.OK
        assert body_of(response)["access"] == {"kind": "subscription"}
    assert ddb.scan(TableName=METER_TABLE)["Count"] == 0


def test_a_reader_who_subscribes_mid_month_is_not_limited(apps: Any) -> None:
    for essay_id in ESSAYS[:3]:
        read(apps, essay_id)
    assert read(apps, ESSAYS[3])["statusCode"] == HTTPStatus.FORBIDDEN
    # they pay; their refreshed token gets `access: subscription` from the authorizer
    for essay_id in ESSAYS:
        assert read(apps, essay_id, access="subscription")["statusCode"] == HTTPStatus.OK
    assert meter_of(apps)["used"] == 3


def test_an_unknown_essay_costs_no_free_read(apps: Any) -> None:
    assert read(apps, "no-such-essay")["statusCode"] == HTTPStatus.NOT_FOUND
    assert meter_of(apps)["used"] == 0


@pytest.mark.parametrize("access", [None, "", "everything", "Subscription"])
def test_an_access_our_authorizer_never_passes_is_refused(apps: Any, ddb: Any, access: str | None) -> None:
    response = read(apps, ESSAYS[0], access=access)
    assert response["statusCode"] == HTTPStatus.FORBIDDEN
    assert ddb.scan(TableName=METER_TABLE)["Count"] == 0


@pytest.mark.parametrize("code", ["ProvisionedThroughputExceededException", "ThrottlingException"])
def test_a_meter_fault_is_503_never_a_free_essay_nor_a_lost_count(apps: Any, code: str) -> None:
    def throttle(**_: Any) -> None:
        raise ClientError({"Error": {"Code": code, "Message": "slow down"}}, "UpdateItem")

    client = dynamodb_client()
    client.meta.events.register_first("before-call.dynamodb.UpdateItem", throttle)
    try:
        response = read(apps, ESSAYS[0])
    finally:
        client.meta.events.unregister("before-call.dynamodb.UpdateItem", throttle)
    assert response["statusCode"] == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["headers"]["Retry-After"] == "1"
    assert "paragraphs" not in response["body"]
    assert meter_of(apps)["used"] == 0
    assert body_of(read(apps, ESSAYS[0]))["access"]["used"] == 1  # the client's retry counts once


def test_me_shows_no_meter_when_it_is_off(apps: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FREE_ESSAYS_PER_MONTH", "0")
    me = importlib.reload(apps.me)
    event = api_event("me")
    assert body_of(me.handler(event, CONTEXT))["meter"] is None


def test_me_shows_a_subscriber_their_subscription_and_this_month_s_meter(apps: Any) -> None:
    read(apps, ESSAYS[0])  # one free essay, then they subscribe
    operator_grant(apps.me.ACCOUNTS, Subscription.for_days(USER, "Monthly", Status.ACTIVE, 30, NOV), NOV)
    event = api_event("me")
    event["requestContext"]["authorizer"].update(principalId=USER, userId=USER)
    me = body_of(apps.me.handler(event, CONTEXT))
    assert me["status"] == "active" and me["plan"] == "Monthly"
    assert me["meter"] == {"used": 1, "limit": 3, "resetsAt": "2026-12-01T00:00:00Z"}


def test_a_meter_of_one_free_essay_shows_on_me(apps: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FREE_ESSAYS_PER_MONTH", "1")
    importlib.reload(apps.me)
    monkeypatch.setattr(apps.me, "CLOCK", lambda: NOV)
    assert meter_of(apps) == {"used": 0, "limit": 1, "resetsAt": "2026-12-01T00:00:00Z"}


def test_earned_essays_open_once_the_month_s_are_spent_and_do_not_lapse_with_the_month(
    apps: Any, ddb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A contributor who earned 2 essays (the authorizer passes `earned`) reads 3 of the month, then 2
    earned ones (a re-read free), then meets the paywall; the earned ones stay spent in December."""
    ddb.put_item(TableName="subscriptions-test", Item={"userId": {"S": USER}, "earnedEssays": {"N": "2"}})

    def earned_read(essay_id: str) -> dict[str, Any]:
        return dict(apps.essay.handler(earned_essay_event(essay_id, USER, 2), CONTEXT))

    def earned_left() -> Any:
        event = api_event("me")
        event["requestContext"]["authorizer"].update(principalId=USER, userId=USER)
        return body_of(apps.me.handler(event, CONTEXT))["earnedEssays"]

    for essay_id in ESSAYS[:3]:
        assert body_of(earned_read(essay_id))["access"]["limit"] == 3  # the month's first
    assert earned_left() == 2
    never = iso(NOV + EARNED_KEPT)  # earned essays have no month to reset with
    first = earned_read(ESSAYS[3])
    assert first["statusCode"] == HTTPStatus.OK
    assert body_of(first)["access"] == {"kind": "metered", "used": 1, "limit": 2, "resetsAt": never}
    assert earned_left() == 1
    assert body_of(earned_read(ESSAYS[3]))["access"]["used"] == 1  # a re-read costs nothing
    assert body_of(earned_read(ESSAYS[4]))["access"]["used"] == 2
    assert earned_left() == 0
    refused = earned_read("dulce-et-decorum-est")
    assert refused["statusCode"] == HTTPStatus.FORBIDDEN
    assert body_of(refused)["error"]["meter"] == {"used": 2, "limit": 2, "resetsAt": never}
    item = ddb.get_item(TableName=METER_TABLE, Key={"userId": {"S": USER}, "month": {"S": EARNED}})["Item"]
    assert item["expiresAt"] == {"N": str(int((NOV + EARNED_KEPT).timestamp()))}
    assert set(item["essays"]["SS"]) == set(ESSAYS[3:5])

    monkeypatch.setattr(apps.essay, "CLOCK", lambda: datetime(2026, 12, 1, tzinfo=UTC))
    for essay_id in ESSAYS[2:5]:  # December's three
        assert body_of(earned_read(essay_id))["access"]["limit"] == 3
    assert earned_read("dulce-et-decorum-est")["statusCode"] == HTTPStatus.FORBIDDEN  # earned ones still spent


def test_me_reads_no_earned_essays_for_a_reader_who_earned_none(apps: Any, ddb: Any) -> None:
    """One read of the meter a request (the month's), not two: most readers never published anything."""
    ddb.put_item(TableName="subscriptions-test", Item={"userId": {"S": USER}, "earnedEssays": {"N": "0"}})
    for user in (USER, "reader-without-a-record"):
        with dynamodb_requests("GetItem") as sent:
            meter_of(apps, user)
        assert [params["Key"]["month"]["S"] for params in sent if params["TableName"] == METER_TABLE] == ["2026-11"]


def test_a_subscriber_s_account_page_shows_the_essays_they_earned(apps: Any, ddb: Any) -> None:
    """A contributor who subscribes keeps what they earned for when the subscription ends: the account
    page shows both."""
    ddb.put_item(TableName="subscriptions-test", Item={"userId": {"S": USER}, "earnedEssays": {"N": "2"}})
    operator_grant(apps.me.ACCOUNTS, Subscription.for_days(USER, "Monthly", Status.ACTIVE, 30, NOV), NOV)
    event = api_event("me")
    event["requestContext"]["authorizer"].update(principalId=USER, userId=USER)
    mine = body_of(apps.me.handler(event, CONTEXT))
    assert (mine["status"], mine["plan"], mine["earnedEssays"]) == ("active", "Monthly", 2)


def test_one_earned_essay_opens_one(apps: Any, ddb: Any) -> None:
    ddb.put_item(TableName="subscriptions-test", Item={"userId": {"S": USER}, "earnedEssays": {"N": "1"}})
    for essay_id in ESSAYS[:3]:
        read(apps, essay_id)
    event = api_event("essay", path_parameters={"essayId": ESSAYS[3]})
    event["requestContext"]["authorizer"] = {
        "principalId": USER,
        "userId": USER,
        "plan": "",
        "access": "metered",
        "earned": "1",
    }
    event_me = api_event("me")
    event_me["requestContext"]["authorizer"].update(principalId=USER, userId=USER)
    assert body_of(apps.me.handler(event_me, CONTEXT))["earnedEssays"] == 1
    assert body_of(apps.essay.handler(event, CONTEXT))["access"]["limit"] == 1
    assert body_of(apps.me.handler(event_me, CONTEXT))["earnedEssays"] == 0


# ---- exact counts under concurrency, on a DynamoDB that serialises conditional writes -------------


@pytest.fixture(scope="module")
def ministack() -> Iterator[Any]:
    from essays_cli.bench.stack import dynamodb_endpoint

    assert (ROOT / ".venv-ministack" / "bin" / "ministack").exists(), "make test installs ministack first"
    with dynamodb_endpoint() as url:
        client = boto3.client(
            "dynamodb",
            endpoint_url=url,
            region_name="eu-west-2",
            aws_access_key_id="000000000000",
            aws_secret_access_key="local",
            config=Config(max_pool_connections=50, retries={"max_attempts": 1}),
        )
        create_table_from_template(client, "MeterTable", METER_TABLE)
        yield client


def _race(store: MeterStore, user: str, essay_ids: list[str], limit: int) -> list[int | None]:
    barrier = threading.Barrier(len(essay_ids))
    results: list[int | None] = [None] * len(essay_ids)

    def one(index: int) -> None:
        barrier.wait()
        results[index] = store.open(user, "2026-11", essay_ids[index], limit, datetime(2026, 12, 2, tzinfo=UTC))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(essay_ids))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("round_", range(3))
def test_twenty_parallel_reads_with_three_left_give_exactly_three(ministack: Any, round_: int) -> None:
    store = MeterStore(METER_TABLE, ministack)
    user = f"reader-{round_}"
    results = _race(store, user, [f"essay-{i}" for i in range(20)], 3)
    granted = [r for r in results if r is not None]
    assert len(granted) == 3 and sorted(granted) == [1, 2, 3]  # no over- and no under-count
    assert store.used(user, "2026-11") == 3


def test_a_reader_with_one_left_racing_gets_one(ministack: Any) -> None:
    store = MeterStore(METER_TABLE, ministack)
    assert store.open("reader-x", "2026-11", "first", 3, datetime(2026, 12, 2, tzinfo=UTC)) == 1
    assert store.open("reader-x", "2026-11", "second", 3, datetime(2026, 12, 2, tzinfo=UTC)) == 2
    results = _race(store, "reader-x", [f"essay-{i}" for i in range(20)], 3)
    assert sum(r is not None for r in results) == 1
    assert store.used("reader-x", "2026-11") == 3


def test_the_same_essay_twenty_times_at_once_counts_once(ministack: Any) -> None:
    store = MeterStore(METER_TABLE, ministack)
    results = _race(store, "reader-same", ["one-essay"] * 20, 3)
    assert results == [1] * 20
    assert store.used("reader-same", "2026-11") == 1
