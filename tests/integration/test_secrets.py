"""The cursor key is read from Secrets Manager at run time (moto here, the emulator end to end):
once per SECRETS_MAX_AGE_MINUTES, so that a rotated value reaches warm containers; a failure to
read it with no value in hand refuses the request with a 503, never a page signed with something else."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from functions.search import app as search_app
from functions.sections import app as sections_app
from shared.errors import Unavailable
from shared.library.cursor import MAX_CURSOR_AGE
from shared.store import secrets
from shared.store.secrets import secret_string
from tests.conftest import CURSOR_SECRET, api_event, body_of

HISTORY = "as-and-a-level--history--modern-european-history-1789-1945"


@pytest.fixture
def reads(aws: None) -> Iterator[list[str]]:
    """The SecretIds of every GetSecretValue call the functions make."""
    calls: list[str] = []
    client = secrets.secrets_client()
    hook = "provide-client-params.secrets-manager.GetSecretValue"

    def record(params: dict[str, Any], **_: Any) -> None:
        calls.append(params["SecretId"])

    client.meta.events.register(hook, record)
    yield calls
    client.meta.events.unregister(hook, record)


def search_page(context: Any, cursor: str | None = None) -> dict[str, Any]:
    query = {"q": "stalin power war", "limit": "1", **({"cursor": cursor} if cursor else {})}
    return search_app.handler(api_event("search", query=query), context)


def test_the_key_is_read_once_and_pages_follow(library: str, reads: list[str], context: Any) -> None:
    cursor, pages = None, 0
    while pages < 4:
        response = search_page(context, cursor)
        assert response["statusCode"] == HTTPStatus.OK
        cursor, pages = body_of(response)["nextCursor"], pages + 1
    event = api_event("section_essays", path_parameters={"sectionId": HISTORY}, query={"limit": "2"})
    section_cursor = body_of(sections_app.handler(event, context))["nextCursor"]
    event = api_event("section_essays", path_parameters={"sectionId": HISTORY}, query={"cursor": section_cursor})
    assert sections_app.handler(event, context)["statusCode"] == HTTPStatus.OK
    assert reads == [os.environ["CURSOR_SECRET_ARN"]]  # one read, shared by both functions' codecs


def test_a_request_that_needs_no_cursor_does_not_read_the_key(library: str, reads: list[str], context: Any) -> None:
    event = api_event("section_essays", path_parameters={"sectionId": "gcse--english--poetry"}, query={"limit": "50"})
    assert sections_app.handler(event, context)["statusCode"] == HTTPStatus.OK
    assert body_of(sections_app.handler(event, context))["nextCursor"] is None
    assert reads == []


FAILURES = {
    "access denied": ClientError({"Error": {"Code": "AccessDeniedException", "Message": "arn:aws:iam::1:role/x"}}, "G"),
    "throttled": ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "GetSecretValue"),
    "unreachable": EndpointConnectionError(endpoint_url="https://secretsmanager.eu-west-2.amazonaws.com"),
}


@pytest.mark.parametrize("failure", FAILURES.values(), ids=FAILURES.keys())
def test_when_the_key_cannot_be_read_the_request_is_a_503(
    library: str, context: Any, monkeypatch: pytest.MonkeyPatch, failure: Exception
) -> None:
    def refuse(**_: Any) -> None:
        raise failure

    monkeypatch.setattr(secrets.secrets_client(), "get_secret_value", refuse)
    response = search_page(context)
    assert response["statusCode"] == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["headers"]["Retry-After"] == "1"
    assert body_of(response)["error"]["code"] == "unavailable"
    for internal in ("arn:aws", "Rate exceeded", "secretsmanager", "AccessDenied"):
        assert internal not in response["body"]


def test_a_deleted_secret_is_a_503_not_an_unsigned_page(library: str, context: Any) -> None:
    boto3.client("secretsmanager").delete_secret(
        SecretId=os.environ["CURSOR_SECRET_ARN"], ForceDeleteWithoutRecovery=True
    )
    response = search_page(context)
    assert response["statusCode"] == HTTPStatus.SERVICE_UNAVAILABLE
    assert "nextCursor" not in response["body"]


def test_a_key_too_short_to_resist_guessing_is_a_fault(library: str, context: Any) -> None:
    boto3.client("secretsmanager").put_secret_value(SecretId=os.environ["CURSOR_SECRET_ARN"], SecretString="x" * 31)
    assert search_page(context)["statusCode"] == HTTPStatus.INTERNAL_SERVER_ERROR


def test_each_secret_is_cached_under_its_own_id(aws: None) -> None:
    client = boto3.client("secretsmanager")
    client.create_secret(Name="stripe-webhook", SecretString="whsec_one")
    assert secret_string("stripe-webhook") == "whsec_one"
    assert secret_string(os.environ["CURSOR_SECRET_ARN"]) == CURSOR_SECRET
    client.put_secret_value(SecretId="stripe-webhook", SecretString="whsec_two")
    assert secret_string("stripe-webhook") == "whsec_one"  # kept for a while
    secrets.forget()  # a new container
    assert secret_string("stripe-webhook") == "whsec_two"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(secrets, "clock", clock)
    return clock


def test_a_rotated_secret_reaches_a_warm_container_within_the_max_age(
    aws: None, clock: Clock, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECRETS_MAX_AGE_MINUTES", "2")
    client = boto3.client("secretsmanager")
    client.create_secret(Name="stripe-key", SecretString="sk_old")
    assert secret_string("stripe-key") == "sk_old"
    client.put_secret_value(SecretId="stripe-key", SecretString="sk_new")
    clock.now += 119
    assert secret_string("stripe-key") == "sk_old"
    clock.now += 1
    assert secret_string("stripe-key") == "sk_new"
    assert secret_string("stripe-key") == "sk_new"
    assert reads == ["stripe-key", "stripe-key"]  # one read per age, not per request


def test_the_max_age_defaults_to_five_minutes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECRETS_MAX_AGE_MINUTES", raising=False)
    assert secrets.max_age_seconds() == 300
    for unusable in ("", "soon", "0", "-3"):
        monkeypatch.setenv("SECRETS_MAX_AGE_MINUTES", unusable)
        assert secrets.max_age_seconds() == 300, unusable
    monkeypatch.setenv("SECRETS_MAX_AGE_MINUTES", "0.5")
    assert secrets.max_age_seconds() == 30


def test_a_failed_refresh_keeps_the_value_in_hand_and_tries_again_later(
    aws: None, clock: Clock, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECRETS_MAX_AGE_MINUTES", "1")
    client = boto3.client("secretsmanager")
    client.create_secret(Name="stripe-key", SecretString="sk_one")
    assert secret_string("stripe-key") == "sk_one"
    real = secrets.secrets_client().get_secret_value

    def outage(**_: Any) -> None:
        raise FAILURES["throttled"]

    monkeypatch.setattr(secrets.secrets_client(), "get_secret_value", outage)
    clock.now += 61
    assert secret_string("stripe-key") == "sk_one"  # Secrets Manager is down: the function keeps working
    monkeypatch.setattr(secrets.secrets_client(), "get_secret_value", real)
    client.put_secret_value(SecretId="stripe-key", SecretString="sk_two")
    clock.now += secrets.RETRY_SECONDS - 1
    assert secret_string("stripe-key") == "sk_one"
    clock.now += 1
    assert secret_string("stripe-key") == "sk_two"


def test_a_binary_secret_is_unavailable(aws: None) -> None:
    boto3.client("secretsmanager").create_secret(Name="binary", SecretBinary=b"\x00\x01")
    with pytest.raises(Unavailable):
        secret_string("binary")


def test_a_rotated_cursor_key_keeps_the_cursors_it_signed_working_for_their_lifetime(
    library: str, context: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = body_of(search_page(context))
    manager = boto3.client("secretsmanager")
    manager.put_secret_value(SecretId=os.environ["CURSOR_SECRET_ARN"], SecretString="k" * 48)  # the rotation
    clock.now += secrets.max_age_seconds()  # the warm container reads the new key
    assert secrets.secret_string(os.environ["CURSOR_SECRET_ARN"]) == "k" * 48
    second = search_page(context, first["nextCursor"])  # signed with the key before the rotation
    assert second["statusCode"] == HTTPStatus.OK
    third = search_page(context, body_of(second)["nextCursor"])  # signed with the new key
    assert third["statusCode"] == HTTPStatus.OK and body_of(third)["results"]

    # A cursor's lifetime after the rotation, the old key is forgotten (not even asked for).
    rotated_at = time.time()
    monkeypatch.setattr(secrets, "wall_clock", lambda: rotated_at + MAX_CURSOR_AGE + 1)
    calls: list[Any] = []
    monkeypatch.setattr(secrets, "_fetch", lambda *args: calls.append(args))
    assert secrets.previous_secret_string(os.environ["CURSOR_SECRET_ARN"], MAX_CURSOR_AGE) is None
    assert calls == []


def test_a_secret_never_rotated_has_no_previous_value(aws: None, clock: Clock, reads: list[str]) -> None:
    boto3.client("secretsmanager").create_secret(Name="fresh", SecretString="v" * 40)
    assert secrets.previous_secret_string("fresh", 3600) is None
    assert secrets.previous_secret_string("fresh", 3600) is None  # remembered: junk cursors cost no calls
    assert reads == ["fresh", "fresh"]  # its current value (for its age), then the missing previous one
