"""The paywall: the TOKEN authorizer through its real entry point (keys made here, the JWKS
served on 127.0.0.1), and the full-essay function with the context API Gateway passes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
import json
import os
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

import jwt
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from essays_cli.issuer import JwksServer
from essays_cli.template import load_template

from shared.access.billing import operator_grant
from shared.access.subscriptions import Source, Status, Subscription
from shared.access.tokens import JwksCache, KeySetUnavailable, TokenRejected
from shared.store.dynamo import to_attribute
from shared.store.subscriptions import MalformedSubscription, item_of, subscription_of
from tests.conftest import api_event, body_of, create_table_from_template, dynamodb_requests

ISSUER = "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_TestPool"
CLIENT_ID = "web-client-id"
USER = "7c1e9a52-3f0d-4b8e-9a61-2f5d8c4e1b7a"
SUBSCRIPTIONS = "subscriptions-test"


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


TRUSTED, STRANGER = _key(), _key()


def _jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}


@pytest.fixture(scope="module")
def jwks() -> Iterator[JwksServer]:
    server = JwksServer({"keys": [_jwk(TRUSTED, "key-1")]})
    yield server
    server.stop()


@pytest.fixture
def authorizer(jwks: JwksServer, aws: None, ddb: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TOKEN_ISSUER", ISSUER)
    monkeypatch.setenv("TOKEN_AUDIENCE", CLIENT_ID)
    monkeypatch.setenv("TOKEN_USE", "access")
    monkeypatch.setenv("JWKS_URL", jwks.url)
    monkeypatch.setenv("JWKS_LOCAL_EMULATOR", "true")  # the keys are served on 127.0.0.1 over http
    monkeypatch.setenv("SUBSCRIPTIONS_TABLE", SUBSCRIPTIONS)
    create_table_from_template(ddb, "SubscriptionsTable", SUBSCRIPTIONS)
    import functions.authorizer.app as module

    return importlib.reload(module)  # a fresh container: configuration read, keys not yet fetched


def subscribe(authorizer: Any, status: Status = Status.ACTIVE, days: int = 30, user: str = USER) -> None:
    now = datetime.now(UTC)
    operator_grant(authorizer.SUBSCRIPTIONS, Subscription.for_days(user, "Monthly", status, days, now), now)


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "sub": USER,
        "iss": ISSUER,
        "client_id": CLIENT_ID,
        "token_use": "access",
        "iat": now,
        "exp": now + 3600,
        "scope": "openid",
        "username": "reader",
    }
    return {k: v for k, v in {**base, **overrides}.items() if v is not None}


def token(key: rsa.RSAPrivateKey = TRUSTED, kid: str = "key-1", **overrides: Any) -> str:
    return jwt.encode(claims(**overrides), key, algorithm="RS256", headers={"kid": kid})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unsigned_token(alg: str, signer: Any = None) -> str:
    header = _b64(json.dumps({"alg": alg, "typ": "JWT", "kid": "key-1"}).encode())
    payload = _b64(json.dumps(claims()).encode())
    signature = signer(f"{header}.{payload}".encode()) if signer else b""
    return f"{header}.{payload}.{_b64(signature)}"


def authorize(authorizer: Any, authorization: str | None, context: Any) -> dict[str, Any]:
    event = json.loads((api_event.__globals__["EVENTS"] / "authorizer_token.json").read_text())
    if authorization is None:
        del event["authorizationToken"]
    else:
        event["authorizationToken"] = authorization
    return authorizer.handler(event, context)


def effect(response: dict[str, Any]) -> str:
    return str(response["policyDocument"]["Statement"][0]["Effect"])


def _hs256_with_public_key(message: bytes) -> bytes:
    public_pem = TRUSTED.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hmac.new(public_pem, message, hashlib.sha256).digest()


def _tampered() -> str:
    header, _, signature = token().split(".")
    payload = _b64(json.dumps(claims(sub="someone-else")).encode())
    return f"{header}.{payload}.{signature}"


UNAUTHORIZED_CASES = {
    "no header": None,
    "empty": "",
    "Bearer alone": "Bearer",
    "Bearer and spaces": "Bearer    ",
    "not bearer": "Basic dXNlcjpwYXNz",
    "garbage": "Bearer not.a.jwt",
    "alg none": "Bearer " + unsigned_token("none"),
    "HS256 signed with the public key": "Bearer " + unsigned_token("HS256", _hs256_with_public_key),
    "unknown kid": "Bearer " + token(kid="key-9"),
    "another key's signature": "Bearer " + token(key=STRANGER),
    "tampered payload": "Bearer " + _tampered(),
    "expired": "Bearer " + token(exp=int(time.time()) - 120),
    "not yet valid": "Bearer " + token(nbf=int(time.time()) + 86_400),  # made at collection: a slow run takes minutes
    "wrong issuer": "Bearer " + token(iss="https://evil.example.com"),
    "wrong audience": "Bearer " + token(client_id="another-app"),
    "wrong token_use": "Bearer " + token(token_use="id"),
    "no subject": "Bearer " + token(sub=None),
    "no key id": "Bearer " + token(kid=""),
    "empty subject": "Bearer " + token(sub=""),
}

# What the "token rejected" log line says of each: an operator reading a refusal learns its cause.
REJECTION_REASONS = {
    "no header": "no bearer token",
    "empty": "no bearer token",
    "Bearer alone": "no bearer token",
    "Bearer and spaces": "no bearer token",
    "not bearer": "no bearer token",
    "garbage": "malformed token: Invalid header padding",
    "alg none": "algorithm 'none' is not accepted",
    "HS256 signed with the public key": "algorithm 'HS256' is not accepted",
    "unknown kid": "unknown signing key id 'key-9'",
    "another key's signature": "InvalidSignatureError: Signature verification failed",
    "tampered payload": "InvalidSignatureError: Signature verification failed",
    "expired": "ExpiredSignatureError: Signature has expired",
    "not yet valid": "ImmatureSignatureError: The token is not yet valid (nbf)",
    "wrong issuer": "InvalidIssuerError: Invalid issuer",
    "wrong audience": "token is for another audience",
    "wrong token_use": "token_use 'id' is not 'access'",
    "no subject": 'MissingRequiredClaimError: Token is missing the "sub" claim',
    "no key id": "token has no key id",
    "empty subject": "token has no subject",
}


@pytest.mark.parametrize("case", UNAUTHORIZED_CASES.keys())
def test_bad_tokens_get_401_and_the_log_says_why(
    authorizer: Any, context: Any, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    authorization = UNAUTHORIZED_CASES[case]
    subscribe(authorizer)
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(authorizer, authorization, context)
    rejected = [r for r in caplog.records if r.getMessage() == "token rejected"]
    assert [r.reason for r in rejected] == [REJECTION_REASONS[case]]  # type: ignore[attr-defined]
    logged = " ".join(str(r.__dict__) for r in caplog.records)
    if authorization and len(authorization) > 20:
        assert authorization.split(" ", 1)[1] not in logged  # the reason is logged, never the token


JUNK = {
    "empty": "",
    "Bearer alone": "Bearer",
    "Basic credentials": "Basic dXNlcjpwYXNz",
    "one word": "Bearer garbage",
    "two segments": "Bearer aaa.bbb",
    "four segments": "Bearer aaa.bbb.ccc.ddd",
    "empty signature (alg none)": "Bearer " + unsigned_token("none"),
    "markup": "Bearer <script>alert(1)</script>",
    "a token and more": "Bearer " + token() + " extra",
    "a token and a newline": "Bearer " + token() + "\n",
    "padding in a segment": "Bearer " + token() + "==",
    "no scheme": token(),
    # each variant would be a cache key of its own (a Lambda call and a read apiece): one spelling only
    "lower-case scheme": "bearer " + token(),
    "upper-case scheme, two spaces": "BEARER  " + token(),
    "mixed case, trailing spaces": "BeArEr    " + token(),
    "two spaces": "Bearer  " + token(),
    "a tab": "Bearer\t" + token(),
}


def validation_expression() -> str:
    api = load_template()["Resources"]["Api"]["Properties"]
    return str(api["Auth"]["Authorizers"]["SubscriberAuthorizer"]["Identity"]["ValidationExpression"])


@pytest.mark.parametrize("authorization", JUNK.values(), ids=JUNK.keys())
def test_api_gateway_answers_junk_itself_without_invoking_the_authorizer(authorization: str) -> None:
    """API Gateway matches the whole header against the expression (the local stack's e2e test
    shows the authorizer is not invoked); what it lets through, the authorizer still checks."""
    assert re.fullmatch(validation_expression(), authorization) is None


def test_every_real_bearer_token_reaches_the_authorizer() -> None:
    for authorization in ("Bearer " + token(), "Bearer " + token(kid="k_-1"), "Bearer a.b.c"):
        assert re.fullmatch(validation_expression(), authorization), authorization


@pytest.mark.parametrize(
    ("status", "days"),
    [(Status.CANCELED, 30), (Status.PAST_DUE, 30), (Status.ACTIVE, -1), (Status.TRIALING, -1)],
    ids=["canceled", "past_due", "active but period ended", "trial ended"],
)
def test_valid_token_without_a_current_subscription_is_denied(
    authorizer: Any, context: Any, status: Status, days: int
) -> None:
    subscribe(authorizer, status, days)
    response = authorize(authorizer, "Bearer " + token(), context)
    assert effect(response) == "Deny"
    assert "context" not in response


def test_valid_token_with_no_subscription_is_denied(authorizer: Any, context: Any) -> None:
    assert effect(authorize(authorizer, "Bearer " + token(), context)) == "Deny"


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.TRIALING])
def test_active_or_trialing_subscriber_is_allowed_on_every_protected_route(
    authorizer: Any, context: Any, status: Status
) -> None:
    subscribe(authorizer, status)
    response = authorize(authorizer, "Bearer " + token(), context)

    assert effect(response) == "Allow"
    assert response["principalId"] == USER
    assert response["context"] == {"userId": USER, "plan": "Monthly", "access": "subscription"}
    # the cached policy must cover every essay, not only the one first asked for
    assert response["policyDocument"]["Statement"][0]["Resource"] == [
        "arn:aws:execute-api:eu-west-2:123456789012:abcdef1234/dev/GET/essays/*"
    ]


@pytest.mark.parametrize(
    ("configured", "good", "bad"),
    [
        (ISSUER, ISSUER, ISSUER + "/"),
        ("https://tenant.auth0.example/", "https://tenant.auth0.example/", "https://tenant.auth0.example"),
    ],
    ids=["Cognito: no trailing slash", "Auth0: a trailing slash"],
)
def test_the_issuer_is_compared_exactly_as_configured(
    authorizer: Any, context: Any, monkeypatch: pytest.MonkeyPatch, configured: str, good: str, bad: str
) -> None:
    monkeypatch.setenv("TOKEN_ISSUER", configured)
    reloaded = importlib.reload(authorizer)
    subscribe(reloaded)
    assert effect(authorize(reloaded, "Bearer " + token(iss=good), context)) == "Allow"
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(reloaded, "Bearer " + token(iss=bad), context)


def test_the_key_set_is_fetched_once_and_refetched_at_most_once_a_minute(
    authorizer: Any, jwks: JwksServer, context: Any
) -> None:
    subscribe(authorizer)
    before = jwks.requests
    for _ in range(3):
        assert effect(authorize(authorizer, "Bearer " + token(), context)) == "Allow"
    assert jwks.requests == before + 1
    for _ in range(3):  # a flood of unknown key ids does not hammer the issuer
        with pytest.raises(Exception, match="Unauthorized"):
            authorize(authorizer, "Bearer " + token(kid="rotated"), context)
    assert jwks.requests == before + 1


@pytest.mark.parametrize("kid", ["", None])
def test_a_token_without_a_usable_key_id_is_refused_without_asking_the_issuer(
    authorizer: Any, jwks: JwksServer, context: Any, kid: Any
) -> None:
    headers = {} if kid is None else {"kid": kid}
    forged = jwt.encode(claims(), TRUSTED, algorithm="RS256", headers=headers)
    before = jwks.requests  # a fresh container: the key set is not fetched yet
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(authorizer, "Bearer " + forged, context)
    assert jwks.requests == before


def test_a_rotated_key_is_picked_up_after_the_minute(jwks: JwksServer) -> None:
    now = [1000.0]
    cache = JwksCache(jwks.url, clock=lambda: now[0])
    cache.key("key-1")
    jwks.document = {"keys": [_jwk(TRUSTED, "key-1"), _jwk(STRANGER, "key-2")]}
    try:
        with pytest.raises(Exception, match="unknown signing key"):
            now[0] += 30
            cache.key("key-2")
        now[0] += 31
        assert cache.key("key-2") is not None
        assert cache.fetches == 2
    finally:
        jwks.document = {"keys": [_jwk(TRUSTED, "key-1")]}


def test_faults_fail_closed(
    authorizer: Any, context: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    subscribe(authorizer)

    # the subscriptions table failing
    def broken(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "InternalServerError", "Message": "boom"}}, "GetItem")

    monkeypatch.setattr(authorizer.SUBSCRIPTIONS.client, "get_item", broken)
    denied = authorize(authorizer, "Bearer " + token(), context)
    assert effect(denied) == "Deny"
    # a policy without a principal is refused by API Gateway (a 500 for the reader): the verified token's
    assert denied["principalId"] == USER and "context" not in denied
    # an operator's query for refusals (`allow = 0` in Logs Insights) matches false, not a null
    assert _decided(caplog).allow is False  # type: ignore[attr-defined]
    assert _decided(caplog).reason == (  # type: ignore[attr-defined]
        "subscription lookup failed: Unavailable: The library is busy right now; please retry in a moment. "
        "(from ClientError: An error occurred (InternalServerError) when calling the GetItem operation: boom)"
    )
    monkeypatch.undo()


def test_a_malformed_subscription_record_fails_closed(authorizer: Any, ddb: Any, context: Any) -> None:
    ddb.put_item(
        TableName=SUBSCRIPTIONS,
        Item={
            "userId": {"S": USER},
            "status": {"S": "active"},
            "plan": {"S": "Monthly"},
            "currentPeriodEnd": {"S": "soon"},
        },
    )
    assert effect(authorize(authorizer, "Bearer " + token(), context)) == "Deny"


RECORD = {
    "userId": USER,
    "plan": "Monthly",
    "status": "active",
    "currentPeriodEnd": "2030-06-01T10:30:00Z",
    "updatedAt": "2030-05-01T00:00:00Z",
}


ENTRY = {"plan": "Monthly", "status": "active", "currentPeriodEnd": "2030-06-01T10:30:00Z", "eventKey": "k"}


@pytest.mark.parametrize(
    ("change", "wrong"),
    [
        ({"status": "frozen"}, "status 'frozen' is not one we know"),
        ({"cancelAtPeriodEnd": "yes"}, "cancelAtPeriodEnd is not true or false"),
        ({"currentPeriodEnd": "soon"}, "currentPeriodEnd is not an ISO 8601 date-time"),
        ({"updatedAt": "yesterday"}, "updatedAt is not an ISO 8601 date-time"),
        ({"customerId": 7}, "customerId is not text"),
        ({"customerId": ""}, "customerId is not text"),
        ({"subscriptions": {"sub_1": "active"}}, "subscriptions.sub_1 is not a map"),
        (
            {"subscriptions": {"sub_1": {k: v for k, v in ENTRY.items() if k != "plan"}}},
            "subscriptions.sub_1.plan is missing or not text",
        ),
        (
            {"subscriptions": {"sub_1": {**ENTRY, "status": "frozen"}}},
            "subscriptions.sub_1 has an unknown status or source",
        ),
        (
            {"subscriptions": {"sub_1": {**ENTRY, "currentPeriodEnd": "soon"}}},
            "subscriptions.sub_1.currentPeriodEnd is not an ISO 8601 date-time",
        ),
    ],
    ids=[
        "unknown-status",
        "cancel-flag-as-text",
        "period-end",
        "updated-at",
        "numeric-customer",
        "empty-customer",
        "subscription-not-a-map",
        "subscription-without-plan",
        "subscription-status",
        "subscription-period-end",
    ],
)
def test_a_malformed_record_fails_closed_and_the_log_says_what_is_wrong(
    authorizer: Any, ddb: Any, context: Any, caplog: pytest.LogCaptureFixture, change: dict[str, Any], wrong: str
) -> None:
    ddb.put_item(TableName=SUBSCRIPTIONS, Item={k: to_attribute(v) for k, v in {**RECORD, **change}.items()})
    assert effect(authorize(authorizer, "Bearer " + token(), context)) == "Deny"
    decided = [r for r in caplog.records if r.getMessage() == "access decided"]
    assert decided[-1].reason == f"subscription lookup failed: MalformedSubscription: {wrong}"  # type: ignore[attr-defined]


def test_a_subscription_kept_before_its_source_was_recorded_reads_as_stripe_s(
    authorizer: Any, ddb: Any, context: Any
) -> None:
    """Entries written before operators' grants were told apart carry no `source`: they came from
    Stripe's events, and their reader keeps reading (an upgrade locks no one out)."""
    ddb.put_item(
        TableName=SUBSCRIPTIONS,
        Item={k: to_attribute(v) for k, v in {**RECORD, "subscriptions": {"sub_1": ENTRY}}.items()},
    )
    (kept,) = authorizer.SUBSCRIPTIONS.account(USER).subscriptions
    assert kept.source is Source.STRIPE
    assert effect(authorize(authorizer, "Bearer " + token(), context)) == "Allow"


def test_the_authorizer_reads_the_subscription_as_just_written(authorizer: Any, context: Any) -> None:
    """Strongly consistent: a reader whose payment the webhook recorded a moment ago is let in."""
    subscribe(authorizer)
    with dynamodb_requests("GetItem") as sent:
        assert effect(authorize(authorizer, "Bearer " + token(), context)) == "Allow"
    reads = [params for params in sent if params["TableName"] == SUBSCRIPTIONS]
    assert reads and all(params.get("ConsistentRead") is True for params in reads)


UNREACHABLE_KEYS = (
    "token check failed: KeySetUnavailable: cannot read the JWKS at http://127.0.0.1:9/jwks.json: URLError "
    "(from URLError: <urlopen error [Errno 111] Connection refused>)"
)


def test_an_unreachable_key_set_fails_closed(
    authorizer: Any, context: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    subscribe(authorizer)
    monkeypatch.setattr(authorizer.VERIFIER, "keys", JwksCache("http://127.0.0.1:9/jwks.json"))
    denied = authorize(authorizer, "Bearer " + token(), context)
    assert effect(denied) == "Deny"
    assert denied["principalId"] == "unknown"  # never a user id from a token that could not be verified
    assert _decided(caplog).allow is False  # type: ignore[attr-defined]
    assert _decided(caplog).reason == UNREACHABLE_KEYS  # type: ignore[attr-defined]


# ---- the full essay -------------------------------------------------------------------


@pytest.fixture
def essay_app(library: str) -> Any:
    import functions.essay.app as module

    return module


def test_a_subscriber_reads_the_full_formatted_essay(
    essay_app: Any, context: Any, caplog: pytest.LogCaptureFixture
) -> None:
    response = essay_app.handler(api_event("essay"), context)

    assert response["statusCode"] == HTTPStatus.OK
    assert response["headers"]["Cache-Control"] == "private, no-store"
    body = body_of(response)
    assert body["title"] == "How did Stalin rise to power after Lenin's death?"
    assert body["breadcrumb"]["section"]["name"] == "Modern European History, 1789-1945"
    assert len(body["paragraphs"]) > 5 and body["formatted"] is True
    assert sum(len(p.split()) for p in body["paragraphs"]) == body["wordCount"]
    assert body["teacherComment"]
    served = [r for r in caplog.records if r.getMessage() == "full essay served"]
    assert served[0].userId == USER  # type: ignore[attr-defined]  # who read it is logged


def test_full_essay_unknown_and_malformed_ids(essay_app: Any, context: Any) -> None:
    missing = essay_app.handler(api_event("essay", path_parameters={"essayId": "nope"}), context)
    assert missing["statusCode"] == HTTPStatus.NOT_FOUND
    malformed = essay_app.handler(api_event("essay", path_parameters={"essayId": "BODY#x"}), context)
    assert malformed["statusCode"] == HTTPStatus.BAD_REQUEST


def test_essay_without_teacher_comment_says_null(essay_app: Any, context: Any) -> None:
    response = essay_app.handler(api_event("essay", path_parameters={"essayId": "multiplier-effect"}), context)
    assert body_of(response)["teacherComment"] is None


assert os.environ.get("TOKEN_ISSUER") is None  # set per test only, by the authorizer fixture


def test_support_staff_grant_show_and_cancel_a_subscription(
    authorizer: Any, context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import essays_cli.admin as admin

    assert admin.main(["subscription", "grant", USER, "--days", "30", "--table", SUBSCRIPTIONS]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "active"
    assert effect(authorize(authorizer, "Bearer " + token(), context)) == "Allow"

    assert admin.main(["subscription", "cancel", USER, "--table", SUBSCRIPTIONS]) == 0
    capsys.readouterr()
    assert admin.main(["subscription", "show", USER, "--table", SUBSCRIPTIONS]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "canceled"
    assert effect(authorize(authorizer, "Bearer " + token(), context)) == "Deny"
    assert admin.main(["subscription", "show", "nobody", "--table", SUBSCRIPTIONS]) == 1


# ---- pins: behaviour an attacker or a reader would notice if it changed (issue 21) ----------------


PINNED_REJECTIONS = {
    "no expiry at all (would never expire)": "Bearer " + token(exp=None),
    "no issued-at": "Bearer " + token(iat=None),
    "no issuer": "Bearer " + token(iss=None),
    "an audience that only contains ours": "Bearer " + token(client_id="xweb-client-id-evil"),
    "an aud that only contains ours": "Bearer " + token(client_id=None, aud="xweb-client-id-evil"),
    "an aud list without ours": "Bearer " + token(client_id=None, aud=["another-app", "web-client"]),
    "neither aud nor client_id": "Bearer " + token(client_id=None),
    "Basic with a valid JWT": "Basic " + token(),
    "a valid JWT without a scheme": token(),
    "an empty subject": "Bearer " + token(sub=""),
    "a numeric subject": "Bearer " + token(sub=12345),
}


@pytest.mark.parametrize("authorization", PINNED_REJECTIONS.values(), ids=PINNED_REJECTIONS.keys())
def test_tokens_an_attacker_might_try_are_401(authorizer: Any, context: Any, authorization: str) -> None:
    subscribe(authorizer)
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(authorizer, authorization, context)


PINNED_ACCEPTANCES = {
    "aud instead of client_id": token(client_id=None, aud=CLIENT_ID),
    "aud list holding ours": token(client_id=None, aud=["another-app", CLIENT_ID]),
}


@pytest.mark.parametrize("bearer", PINNED_ACCEPTANCES.values(), ids=PINNED_ACCEPTANCES.keys())
def test_tokens_a_subscriber_might_hold_are_allowed(authorizer: Any, context: Any, bearer: str) -> None:
    subscribe(authorizer)
    assert effect(authorize(authorizer, "Bearer " + bearer, context)) == "Allow"


def test_the_clock_leeway_is_30_seconds_either_way(authorizer: Any, context: Any) -> None:
    subscribe(authorizer)
    now = int(time.time())  # tokens made here, not at collection: their times are relative to now
    for inside in (token(exp=now - 25), token(nbf=now + 25)):
        assert effect(authorize(authorizer, "Bearer " + inside, context)) == "Allow"
    for outside in (token(exp=now - 35), token(nbf=now + 35)):
        with pytest.raises(Exception, match=r"^Unauthorized$"):
            authorize(authorizer, "Bearer " + outside, context)


def test_the_scheme_is_case_insensitive_and_surrounding_spaces_do_not_matter(authorizer: Any, context: Any) -> None:
    subscribe(authorizer)
    for authorization in ("bearer " + token(), "  BEARER   " + token() + "  "):
        assert effect(authorize(authorizer, authorization, context)) == "Allow"


def test_without_a_required_token_use_any_token_use_is_accepted(
    authorizer: Any, context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOKEN_USE", "")  # an OIDC issuer whose tokens carry no token_use
    reloaded = importlib.reload(authorizer)
    subscribe(reloaded)
    assert effect(authorize(reloaded, "Bearer " + token(token_use=None), context)) == "Allow"


def test_only_rsa_signing_keys_of_the_key_set_are_trusted(jwks: JwksServer) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    ec_jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(ec.generate_private_key(ec.SECP256R1()).public_key()))
    no_kid = {k: v for k, v in _jwk(STRANGER, "x").items() if k != "kid"}
    jwks.document = {
        "keys": [
            _jwk(TRUSTED, "key-1"),
            {**_jwk(STRANGER, "key-enc"), "use": "enc"},  # an encryption key must never verify a signature
            {**ec_jwk, "kid": "key-ec"},
            no_kid,
        ]
    }
    try:
        cache = JwksCache(jwks.url)
        assert cache.key("key-1") is not None  # the other entries neither break nor join the set
        for kid in ("key-enc", "key-ec"):
            with pytest.raises(Exception, match="unknown signing key"):
                cache.key(kid)
    finally:
        jwks.document = {"keys": [_jwk(TRUSTED, "key-1")]}


def test_a_signing_key_that_does_not_say_its_use_is_trusted(jwks: JwksServer) -> None:
    """OIDC issuers may leave out `use` (RFC 7517 makes it optional): such an RSA key signs tokens."""
    jwks.document = {"keys": [{k: v for k, v in _jwk(TRUSTED, "key-1").items() if k != "use"}]}
    try:
        assert JwksCache(jwks.url).key("key-1") is not None
    finally:
        jwks.document = {"keys": [_jwk(TRUSTED, "key-1")]}


@pytest.mark.parametrize(("size", "read"), [(1_000_000, True), (1_000_001, False), (5_000_000, False)])
def test_a_key_set_over_a_megabyte_is_refused_not_read_whole(jwks: JwksServer, size: int, read: bool) -> None:
    document = {"keys": [_jwk(TRUSTED, "key-1")], "padding": ""}
    document["padding"] = "x" * (size - len(json.dumps(document).encode()))  # the document is `size` bytes
    jwks.document = document
    try:
        if read:
            assert JwksCache(jwks.url).key("key-1") is not None
        else:
            with pytest.raises(KeySetUnavailable):
                JwksCache(jwks.url).key("key-1")
    finally:
        jwks.document = {"keys": [_jwk(TRUSTED, "key-1")]}


def test_an_unknown_key_id_refetches_the_set_once_a_full_minute_has_passed() -> None:
    now, fetched = [1000.0], []

    def fetch(url: str) -> dict[str, Any]:
        fetched.append(now[0])
        return {"keys": [_jwk(TRUSTED, "key-1")]}

    cache = JwksCache("https://issuer.example.com/jwks.json", fetch=fetch, clock=lambda: now[0])
    cache.key("key-1")
    for elapsed in (59.0, 60.0):
        now[0] = 1000.0 + elapsed
        with pytest.raises(TokenRejected):
            cache.key("key-2")
    assert fetched == [1000.0, 1060.0]


def test_a_hung_key_endpoint_fails_within_the_timeout_instead_of_hanging() -> None:
    import socket
    import threading

    from shared.access.tokens import KeySetUnavailable

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the connection, never answers
    outcome: list[BaseException] = []

    def fetch() -> None:
        try:
            JwksCache(f"http://127.0.0.1:{silent.getsockname()[1]}/jwks.json").key("key-1")
        except BaseException as error:
            outcome.append(error)

    worker = threading.Thread(target=fetch, daemon=True)
    worker.start()
    worker.join(timeout=2.9)  # the authorizer gives up after 2 s; API Gateway waits for it at most 29
    silent.close()
    assert not worker.is_alive(), "the JWKS fetch has no timeout"
    assert outcome and isinstance(outcome[0], KeySetUnavailable)


def test_the_policy_document_is_exactly_what_api_gateway_expects(authorizer: Any, context: Any) -> None:
    subscribe(authorizer)
    response = authorize(authorizer, "Bearer " + token(), context)
    assert response["policyDocument"] == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Action": "execute-api:Invoke",
                "Effect": "Allow",
                "Resource": ["arn:aws:execute-api:eu-west-2:123456789012:abcdef1234/dev/GET/essays/*"],
            }
        ],
    }
    assert response["principalId"] == USER


def test_a_deny_names_the_same_routes_and_no_context(authorizer: Any, context: Any) -> None:
    response = authorize(authorizer, "Bearer " + token(), context)  # no subscription
    assert response["policyDocument"]["Version"] == "2012-10-17"
    assert response["policyDocument"]["Statement"][0]["Action"] == "execute-api:Invoke"
    assert response["policyDocument"]["Statement"][0]["Effect"] == "Deny"
    assert response["principalId"] == USER and "context" not in response


@pytest.mark.parametrize(
    ("period_end", "allowed"),
    [
        # 10:30 at +02:00 is 08:30 UTC: ended 90 minutes before 10:00 UTC, although "10:30" reads as later
        ("2030-06-01T10:30:00+02:00", False),
        ("2030-06-01T11:30:00+02:00", False),
        ("2030-06-01T12:30:00+02:00", True),
        ("2030-06-01T10:30:00Z", True),
        ("2030-06-01T10:30:00", True),  # no offset: UTC
        ("2030-06-01T09:59:59Z", False),
        ("2030-06-01T10:00:00Z", False),  # ends at the very instant: over
    ],
)
def test_a_period_end_is_read_with_its_offset(period_end: str, allowed: bool) -> None:
    subscription = subscription_of({**RECORD, "currentPeriodEnd": period_end})
    assert subscription.allows_reading(datetime(2030, 6, 1, 10, 0, tzinfo=UTC)) is allowed


@pytest.mark.parametrize("field", ["userId", "plan", "status", "currentPeriodEnd", "updatedAt"])
def test_a_record_missing_any_field_fails_closed(field: str) -> None:
    item = RECORD
    for broken in ({k: v for k, v in item.items() if k != field}, {**item, field: ""}, {**item, field: 7}):
        with pytest.raises(MalformedSubscription, match=field):
            subscription_of(broken)


def test_a_stored_record_reads_back_as_written() -> None:
    written = Subscription.for_days(USER, "Monthly", Status.TRIALING, 14, datetime(2030, 6, 1, 10, 0, tzinfo=UTC))
    item = item_of(written)
    assert item == {
        "userId": USER,
        "plan": "Monthly",
        "status": "trialing",
        "currentPeriodEnd": "2030-06-15T10:00:00Z",
        "updatedAt": "2030-06-01T10:00:00Z",
    }
    assert subscription_of(item) == written


# ---- the signed-in authorizer of the billing routes -----------------------------------------------


@pytest.fixture
def identity(jwks: JwksServer, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TOKEN_ISSUER", ISSUER)
    monkeypatch.setenv("TOKEN_AUDIENCE", CLIENT_ID)
    monkeypatch.setenv("TOKEN_USE", "access")
    monkeypatch.setenv("JWKS_URL", jwks.url)
    monkeypatch.setenv("JWKS_LOCAL_EMULATOR", "true")  # the keys are served on 127.0.0.1 over http
    import functions.identity.app as module

    return importlib.reload(module)


SIGNED_IN_ARN = "arn:aws:execute-api:eu-west-2:123456789012:abcdef1234/dev/POST/checkout"


def test_any_signed_in_reader_passes_the_signed_in_authorizer_subscriber_or_not(identity: Any, context: Any) -> None:
    event = {"type": "TOKEN", "authorizationToken": "Bearer " + token(), "methodArn": SIGNED_IN_ARN}
    response = identity.handler(event, context)  # no table exists here: it reads no data at all
    assert effect(response) == "Allow"
    assert response["principalId"] == USER
    assert response["context"] == {"userId": USER}
    assert response["policyDocument"]["Statement"][0]["Resource"] == [
        "arn:aws:execute-api:eu-west-2:123456789012:abcdef1234/dev/POST/checkout",
        "arn:aws:execute-api:eu-west-2:123456789012:abcdef1234/dev/POST/billing/portal",
        "arn:aws:execute-api:eu-west-2:123456789012:abcdef1234/dev/GET/me/subscription",
        "arn:aws:execute-api:eu-west-2:123456789012:abcdef1234/dev/POST/me/signout",
        "arn:aws:execute-api:eu-west-2:123456789012:abcdef1234/dev/POST/me/submissions",
        "arn:aws:execute-api:eu-west-2:123456789012:abcdef1234/dev/POST/me/submissions/uploads",
        "arn:aws:execute-api:eu-west-2:123456789012:abcdef1234/dev/GET/me/submissions",
        "arn:aws:execute-api:eu-west-2:123456789012:abcdef1234/dev/GET/me/submissions/*",
        "arn:aws:execute-api:eu-west-2:123456789012:abcdef1234/dev/DELETE/me/submissions/*",
        "arn:aws:execute-api:eu-west-2:123456789012:abcdef1234/dev/GET/review/*",
        "arn:aws:execute-api:eu-west-2:123456789012:abcdef1234/dev/POST/review/*",
        "arn:aws:execute-api:eu-west-2:123456789012:abcdef1234/dev/PUT/review/*",
        "arn:aws:execute-api:eu-west-2:123456789012:abcdef1234/dev/DELETE/review/*",
    ]  # and never the full essay: its cached Allow cannot open the paywall


@pytest.mark.parametrize(
    ("groups", "passed"),
    [
        (["teachers"], "teachers"),
        (["readers", "teachers"], "readers,teachers"),
        ([], None),
        ("teachers", None),
        (["teachers", "a,b"], None),  # a comma would split one group into two in the joined context
    ],
)
def test_the_signed_in_authorizer_passes_the_tokens_groups(
    identity: Any, context: Any, groups: Any, passed: str | None
) -> None:
    """The review function tells teachers by the token's cognito:groups, as verified here (a string
    is not Cognito's list: passed as no group at all)."""
    event = {
        "type": "TOKEN",
        "authorizationToken": "Bearer " + token(**{"cognito:groups": groups}),
        "methodArn": SIGNED_IN_ARN,
    }
    response = identity.handler(event, context)
    assert response["context"] == {"userId": USER} | ({"groups": passed} if passed else {})


def test_a_contributor_with_earned_essays_passes_as_metered_with_the_meter_off(
    authorizer: Any, ddb: Any, context: Any
) -> None:
    assert authorizer.FREE_ESSAYS_PER_MONTH == 0
    assert effect(authorize(authorizer, "Bearer " + token(), context)) == "Deny"
    ddb.update_item(
        TableName=SUBSCRIPTIONS,
        Key={"userId": {"S": USER}},
        UpdateExpression="ADD earnedEssays :n",
        ExpressionAttributeValues={":n": {"N": "3"}},
    )
    allowed = authorize(authorizer, "Bearer " + token(), context)
    assert effect(allowed) == "Allow"
    assert allowed["context"] == {"userId": USER, "plan": "", "access": "metered", "earned": "3"}


@pytest.mark.parametrize("authorization", UNAUTHORIZED_CASES.values(), ids=UNAUTHORIZED_CASES.keys())
def test_bad_tokens_get_401_from_the_signed_in_authorizer(
    identity: Any, context: Any, authorization: str | None
) -> None:
    event = {"type": "TOKEN", "methodArn": SIGNED_IN_ARN}
    if authorization is not None:
        event["authorizationToken"] = authorization
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        identity.handler(event, context)


def test_the_signed_in_authorizer_fails_closed(
    identity: Any, context: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(identity.VERIFIER, "keys", JwksCache("http://127.0.0.1:9/jwks.json"))
    event = {"type": "TOKEN", "authorizationToken": "Bearer " + token(), "methodArn": SIGNED_IN_ARN}
    denied = identity.handler(event, context)
    assert effect(denied) == "Deny"
    # API Gateway refuses a policy without a principal (the reader would get a 500): the token was
    # never verified, so no user id from it may be named either
    assert denied["principalId"] == "unknown" and "context" not in denied
    assert _decided(caplog, "identity decided").allow is False  # type: ignore[attr-defined]
    assert _decided(caplog, "identity decided").reason == UNREACHABLE_KEYS  # type: ignore[attr-defined]


# ---- the meter: signed-in readers without a subscription, counted by the essay function -----------


@pytest.fixture
def metered_authorizer(authorizer: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("FREE_ESSAYS_PER_MONTH", "3")
    return importlib.reload(authorizer)


@pytest.mark.parametrize(
    ("status", "days"), [(None, 0), (Status.CANCELED, 10), (Status.PAST_DUE, 5), (Status.ACTIVE, -1)]
)
def test_with_the_meter_on_readers_without_a_subscription_pass_as_metered(
    metered_authorizer: Any, context: Any, status: Status | None, days: int
) -> None:
    if status:
        subscribe(metered_authorizer, status, days)
    response = authorize(metered_authorizer, "Bearer " + token(), context)
    assert effect(response) == "Allow"
    assert response["principalId"] == USER
    assert response["context"] == {"userId": USER, "plan": "", "access": "metered"}


def test_a_meter_of_one_free_essay_is_on(authorizer: Any, context: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FREE_ESSAYS_PER_MONTH", "1")
    response = authorize(importlib.reload(authorizer), "Bearer " + token(), context)
    assert effect(response) == "Allow" and response["context"]["access"] == "metered"


def test_with_the_meter_on_subscribers_pass_as_subscribers(metered_authorizer: Any, context: Any) -> None:
    subscribe(metered_authorizer)
    response = authorize(metered_authorizer, "Bearer " + token(), context)
    assert response["context"] == {"userId": USER, "plan": "Monthly", "access": "subscription"}


@pytest.mark.parametrize("authorization", [None, "Bearer garbage", "Bearer " + token(exp=int(time.time()) - 120)])
def test_anonymous_callers_are_never_metered(metered_authorizer: Any, context: Any, authorization: str | None) -> None:
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(metered_authorizer, authorization, context)


def test_with_the_meter_on_a_fault_still_denies(
    metered_authorizer: Any, context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow"}}, "GetItem")

    monkeypatch.setattr(metered_authorizer.SUBSCRIPTIONS.client, "get_item", broken)
    assert effect(authorize(metered_authorizer, "Bearer " + token(), context)) == "Deny"


def test_with_the_meter_off_readers_without_a_subscription_are_denied(authorizer: Any, context: Any) -> None:
    response = authorize(authorizer, "Bearer " + token(), context)
    assert effect(response) == "Deny"
    subscribe(authorizer)
    assert authorize(authorizer, "Bearer " + token(), context)["context"]["access"] == "subscription"


# ---- signing out everywhere: POST /me/signout, then the subscription authorizer ------------------


def test_a_reader_who_signs_out_everywhere_has_every_earlier_token_refused(
    authorizer: Any, context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("METER_TABLE", "meter-unused")
    me = importlib.reload(importlib.import_module("functions.me.app"))
    subscribe(authorizer)
    earlier = "Bearer " + token(iat=int(time.time()) - 60)
    assert effect(authorize(authorizer, earlier, context)) == "Allow"

    event = api_event("signout")
    event["requestContext"]["authorizer"].update(principalId=USER, userId=USER)
    response = me.handler(event, context)
    assert response["statusCode"] == HTTPStatus.NO_CONTENT
    assert response["headers"]["Cache-Control"] == "no-store"
    assert response["body"] == ""

    with pytest.raises(Exception, match="Unauthorized"):  # the stolen or forgotten token: 401
        authorize(authorizer, earlier, context)
    later = "Bearer " + token(iat=int(time.time()) + 1)  # signed in again afterwards
    assert effect(authorize(authorizer, later, context)) == "Allow"
    # another reader's tokens are untouched
    subscribe(authorizer, user="someone-else")
    other = "Bearer " + token(sub="someone-else", iat=int(time.time()) - 60)
    assert effect(authorize(authorizer, other, context)) == "Allow"


def test_a_token_issued_in_the_second_of_the_sign_out_is_refused_and_the_next_second_is_not(
    authorizer: Any, context: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """The record keeps the sign-out to the second, as a token's `iat` is: one issued in that same
    second may have come before it, so it is refused; a sign-in a second later is accepted."""
    subscribe(authorizer)
    signed_out = datetime.now(UTC).replace(microsecond=900_000)
    authorizer.SUBSCRIPTIONS.sign_out(USER, signed_out)
    second = int(signed_out.timestamp())
    with pytest.raises(Exception, match="Unauthorized"):
        authorize(authorizer, "Bearer " + token(iat=second), context)
    rejected = [r for r in caplog.records if r.getMessage() == "token rejected"]
    assert rejected[-1].reason == "the token was issued before the reader signed out everywhere"  # type: ignore[attr-defined]
    assert effect(authorize(authorizer, "Bearer " + token(iat=second + 1), context)) == "Allow"


def _decided(caplog: pytest.LogCaptureFixture, message: str = "access decided") -> Any:
    return [r for r in caplog.records if r.getMessage() == message][-1]


@pytest.mark.parametrize("meter", [0, 3], ids=["meter-off", "meter-on"])
@pytest.mark.parametrize("status", [None, Status.ACTIVE, Status.CANCELED], ids=["none", "active", "canceled"])
def test_the_decision_log_says_who_was_let_in_or_refused_and_why(
    authorizer: Any, context: Any, caplog: pytest.LogCaptureFixture, meter: int, status: Status | None
) -> None:
    """What an operator reads when a reader says "I paid and cannot read": the allow, the reader and
    the reason of every decision (the reason is an operator's search term: it is pinned word for word)."""
    authorizer.FREE_ESSAYS_PER_MONTH = meter
    if status:
        subscribe(authorizer, status)
    allowed = effect(authorize(authorizer, "Bearer " + token(), context)) == "Allow"
    decided = _decided(caplog)
    assert decided.allow is allowed and decided.userId == USER  # type: ignore[attr-defined]
    if status is Status.ACTIVE:
        assert (allowed, decided.reason) == (True, "active subscription")  # type: ignore[attr-defined]
        return
    account = authorizer.SUBSCRIPTIONS.account(USER)
    why = (
        "no subscription"
        if status is None
        else f"subscription canceled, ends {account.subscription.current_period_end.isoformat()}"
    )
    assert (allowed, decided.reason) == ((True, f"metered: {why}") if meter else (False, why))  # type: ignore[attr-defined]


def test_one_earned_essay_is_passed_on_to_the_essay_function(authorizer: Any, ddb: Any, context: Any) -> None:
    ddb.update_item(
        TableName=SUBSCRIPTIONS,
        Key={"userId": {"S": USER}},
        UpdateExpression="ADD earnedEssays :n",
        ExpressionAttributeValues={":n": {"N": "1"}},
    )
    allowed = authorize(authorizer, "Bearer " + token(), context)
    assert allowed["context"] == {"userId": USER, "plan": "", "access": "metered", "earned": "1"}


def test_the_signed_in_authorizer_logs_a_signed_in_reader(
    identity: Any, context: Any, caplog: pytest.LogCaptureFixture
) -> None:
    event = {"type": "TOKEN", "authorizationToken": "Bearer " + token(), "methodArn": SIGNED_IN_ARN}
    assert effect(identity.handler(event, context)) == "Allow"
    decided = _decided(caplog, "identity decided")
    assert (decided.allow, decided.userId, decided.reason) == (True, USER, "signed in")  # type: ignore[attr-defined]


def test_an_operator_s_new_grant_replaces_the_reader_s_earlier_grant(authorizer: Any, context: Any) -> None:
    """essays-admin's grant is the reader's one operator grant: granting again (here a lapsed
    status) replaces it, never adds a second that the first would outlive."""
    subscribe(authorizer, Status.ACTIVE, days=30)
    assert effect(authorize(authorizer, "Bearer " + token(), context)) == "Allow"
    subscribe(authorizer, Status.PAST_DUE, days=30)
    assert effect(authorize(authorizer, "Bearer " + token(), context)) == "Deny"
    account = authorizer.SUBSCRIPTIONS.account(USER)
    assert [s.status for s in account.subscriptions] == [Status.PAST_DUE]
