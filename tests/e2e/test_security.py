"""Security checks that need the deployed stack: the cursor key read from the emulator's Secrets
Manager (never in the functions' configuration), junk tokens answered by API Gateway without
invoking the authorizer, private local files, and logs that never hold a token or essay text."""

from __future__ import annotations

import json
import re
import stat
import time
import urllib.parse
import uuid
from http import HTTPStatus
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from essays_cli.template import load_template

from tests.conftest import ROOT, aws_client, physical_id, sample_records
from tests.e2e.test_http import assert_error, call

pytestmark = pytest.mark.e2e

JWT_LIKE = re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*")
ESSAY = "stalin-rise-to-power"


def log_events(stack: dict[str, Any], group: str, since_ms: int = 0) -> list[str]:
    logs = aws_client(stack, "logs")
    messages: list[str] = []
    kwargs: dict[str, Any] = {"logGroupName": group, "startTime": since_ms}
    while True:
        page = logs.filter_log_events(**kwargs)
        messages += [event["message"] for event in page.get("events", [])]
        if not page.get("nextToken"):
            return messages
        kwargs["nextToken"] = page["nextToken"]


# ---- the cursor key, at run time ------------------------------------------------------------


@pytest.mark.parametrize("function", ["SearchFunction", "SectionsFunction"])
def test_the_functions_configuration_names_the_cursor_key_but_never_holds_it(
    stack: dict[str, Any], function: str
) -> None:
    configuration = aws_client(stack, "lambda").get_function_configuration(FunctionName=physical_id(stack, function))
    variables = configuration["Environment"]["Variables"]
    assert "CURSOR_SECRET" not in variables
    key = aws_client(stack, "secretsmanager").get_secret_value(SecretId=variables["CURSOR_SECRET_ARN"])["SecretString"]
    assert len(key) >= 32 and key not in json.dumps(configuration)


def test_pages_follow_through_cursors_signed_with_the_key_from_secrets_manager(stack: dict[str, Any]) -> None:
    seen: list[str] = []
    path = "/search?q=revolution%20causes%20war&limit=1"
    for _ in range(3):
        status, _, body = call(stack, path)
        assert status == HTTPStatus.OK, body
        seen += [hit["essayId"] for hit in body["results"]]
        assert body["nextCursor"]
        path = "/search?q=revolution%20causes%20war&limit=1&cursor=" + urllib.parse.quote(body["nextCursor"])
    assert len(set(seen)) == 3


# ---- junk tokens stop at API Gateway -------------------------------------------------------


def test_the_authorizers_carry_the_token_shape_check(stack: dict[str, Any]) -> None:
    api_id = stack["apiUrl"].rstrip("/").split("/")[-2]
    deployed = {a["name"]: a for a in aws_client(stack, "apigateway").get_authorizers(restApiId=api_id)["items"]}
    declared = load_template()["Resources"]["Api"]["Properties"]["Auth"]["Authorizers"]
    assert set(deployed) == set(declared) == {"SubscriberAuthorizer", "SignedInAuthorizer"}
    for name, authorizer in declared.items():
        assert deployed[name]["identityValidationExpression"] == authorizer["Identity"]["ValidationExpression"]


def _token_with_key_id(kid: str) -> str:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    return jwt.encode({"sub": "x", "iat": now, "exp": now + 60}, stranger, algorithm="RS256", headers={"kid": kid})


def test_junk_tokens_get_our_401_without_invoking_the_authorizer(stack: dict[str, Any]) -> None:
    started = int(time.time() * 1000) - 1000
    marker = f"e2e-{uuid.uuid4().hex}"
    shaped = _token_with_key_id(marker)
    essay = f"/essays/{ESSAY}"
    variants = ("bearer " + shaped, "BEARER " + shaped, "Bearer  " + shaped, "Bearer\t" + shaped)  # one key each
    for junk in (
        "Bearer garbage",
        "Basic dXNlcjpwYXNz",
        "Bearer a.b",
        "Bearer " + shaped + " extra",
        shaped,
        *variants,
    ):
        assert_error(call(stack, essay, headers={"Authorization": junk}), HTTPStatus.UNAUTHORIZED, "unauthorized")
    # A token of the right shape does reach the authorizer, which logs why it refused it.
    assert_error(call(stack, essay, headers={"Authorization": "Bearer " + shaped}), HTTPStatus.UNAUTHORIZED)

    group = f"/aws/lambda/{stack['stackName']}/authorizer"
    deadline = time.monotonic() + 30
    while True:
        refused = [m for m in log_events(stack, group, started) if '"token rejected"' in m]
        if any(marker in m for m in refused) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert len(refused) == 1 and marker in refused[0], refused  # the junk never invoked it


# ---- private local files -------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_holding_tokens_are_their_owners_only(stack: dict[str, Any]) -> None:
    log = Path(stack["logFile"])
    assert _mode(log) == 0o600, log  # essays-dev's output, wherever it was sent
    work = ROOT / ".dev"
    assert _mode(work) == 0o700
    for path in [*work.glob("*.log"), *work.glob("*.json")]:
        assert _mode(path) == 0o600, path


# ---- logs hold no token and no essay text --------------------------------------------------


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 8]


def test_no_log_line_holds_a_token_or_a_sentence_of_an_essay(stack: dict[str, Any]) -> None:
    subscriber = {"Authorization": f"Bearer {stack['subscriberToken']}"}
    status, _, full = call(stack, f"/essays/{ESSAY}", headers=subscriber)
    assert status == HTTPStatus.OK
    call(stack, f"/essays/{ESSAY}", headers={"Authorization": f"Bearer {stack['lapsedToken']}"})
    call(stack, f"/essays/{ESSAY}", headers={"Authorization": "Bearer " + _token_with_key_id("e2e-logs")})
    for path in (f"/essays/{ESSAY}/preview", f"/essays/{ESSAY}/related", "/search?q=stalin&limit=1", "/sections"):
        assert call(stack, path)[0] == HTTPStatus.OK

    sentences = [s for paragraph in full["paragraphs"] for s in _sentences(paragraph)]
    for record in sample_records():  # and some of every sample essay
        sentences += _sentences(record["body"].replace("\n", " "))[:3]
    assert len(sentences) > 100

    sources: dict[str, str] = {}
    for group in aws_client(stack, "logs").describe_log_groups()["logGroups"]:
        sources[group["logGroupName"]] = "\n".join(log_events(stack, group["logGroupName"]))
    assert any(name.endswith("/essay") and text for name, text in sources.items()), "no function logs to scan"
    # essays-dev's own output shows the readers' tokens and passwords on purpose (`make dev-up` prints
    # it; the file is 0600, see above): it is scanned for essay text only.
    console = {Path(stack["logFile"]).resolve(), (ROOT / ".dev" / "dev.log").resolve()}
    for log in [*(ROOT / ".dev").glob("*.log"), Path(stack["logFile"])]:
        if log.is_file():
            sources[str(log.resolve())] = log.read_text(encoding="utf-8", errors="replace")

    for source, text in sources.items():
        leaked = next((s for s in sentences if s in text), None)
        assert leaked is None, f"{source} holds essay text: {leaked!r}"
        if Path(source) in console:
            continue
        found = JWT_LIKE.search(text)
        assert found is None, f"{source} holds a token: {found.group()[:20]}..."
        for token in (stack["subscriberToken"], stack["lapsedToken"]):
            assert token not in text, source
