"""The template's metric filters match the lines the functions really write: the webhook's outcomes and
its warnings (an event tied to no reader), a checkout that could not reach Stripe, and the meter's free
reads and refusals. Each container
runs in a fresh interpreter, as on Lambda (Powertools writes to the stdout it finds when a container
logs its first line), with moto for DynamoDB and Secrets Manager and the offline fake of Stripe; the
filter patterns are read off template.yaml and evaluated with CloudWatch Logs' JSON pattern rules."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from typing import Any

from essays_cli.template import load_template

from tests.conftest import ROOT

RESOURCES = load_template()["Resources"]

_CONTAINER = textwrap.dedent(
    """
    import json, sys, time
    from moto import mock_aws
    sys.path.insert(0, "infra")
    from tests.conftest import LambdaContext, api_event, create_table_from_template

    with mock_aws():
        import boto3
        import essays_cli.stripefake as stripefake
        from essays_cli.stripefake import FakeStripe, Reader, event_for, signed
        ddb, manager = boto3.client("dynamodb"), boto3.client("secretsmanager")
        create_table_from_template(ddb, "SubscriptionsTable", "subscriptions-test")
        create_table_from_template(ddb, "BillingTable", "billing-test")
        manager.create_secret(Name="stripe-secret-key-test", SecretString="sk_test_local_0000000000000000")
        manager.create_secret(Name="stripe-webhook-secret-test", SecretString="whsec_test_local_0123456789")
        fake = FakeStripe()
        fake.status = 503  # Stripe is down
        import os
        os.environ["STRIPE_API_BASE"] = fake.url
        import functions.billing.app as billing
        import functions.webhook.app as webhook

        def deliver(payload):
            body = json.dumps(payload)
            event = api_event("webhook", headers={"Stripe-Signature": signed(body, "whsec_test_local_0123456789")})
            event["body"] = body
            return webhook.handler(event, LambdaContext())["statusCode"]

        reader = Reader("7c1e9a52-3f0d-4b8e-9a61-2f5d8c4e1b7a")
        orphan = stripefake.subscription_object(reader, "active", int(time.time()) + 86400, with_metadata=False)
        statuses = [deliver(stripefake.event("customer.subscription.created", orphan))]  # tied to no reader
        statuses.append(deliver(event_for("checkout.session.completed", reader)))  # applied
        print(json.dumps({"probe": "the billing function's log group from here"}), flush=True)
        checkout = api_event("checkout")
        checkout["requestContext"]["authorizer"].update(principalId=reader.user_id, userId=reader.user_id)
        statuses.append(billing.handler(checkout, LambdaContext())["statusCode"])
        fake.stop()
        print(json.dumps({"probe": "the essay function's log group from here"}), flush=True)

        from essays_cli.seed import main as seed
        from tests.conftest import SAMPLES, TABLE
        create_table_from_template(ddb, "EssaysTable", TABLE)
        create_table_from_template(ddb, "MeterTable", "meter-test")
        assert seed(["load", *map(str, SAMPLES), "--table", TABLE]) == 0
        os.environ["FREE_ESSAYS_PER_MONTH"] = "1"
        import functions.essay.app as essay
        for essay_id in ("stalin-rise-to-power", "multiplier-effect"):  # the free one, then one too many
            event = api_event("essay", path_parameters={"essayId": essay_id})
            event["requestContext"]["authorizer"] = {
                "principalId": reader.user_id, "userId": reader.user_id, "plan": "", "access": "metered"
            }
            statuses.append(essay.handler(event, LambdaContext())["statusCode"])
        print(json.dumps({"probe": statuses}), flush=True)
    """
)


def _log_groups() -> tuple[list[int], dict[str, list[dict[str, Any]]]]:
    """The answers' statuses, and the lines of each function's log group (both run in one process here)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", _CONTAINER], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    probes = [i for i, line in enumerate(lines) if "probe" in line]
    assert len(probes) == 3
    groups = {
        "WebhookFunctionLogGroup": lines[: probes[0]],
        "BillingFunctionLogGroup": lines[probes[0] + 1 : probes[1]],
        "EssayFunctionLogGroup": lines[probes[1] + 1 : probes[2]],
    }
    return lines[probes[2]]["probe"], groups


# ---- CloudWatch Logs' JSON filter patterns: { SELECTOR = "value" } joined by && and ||, in parentheses --


def _value(line: dict[str, Any], selector: str) -> Any:
    value: Any = line
    for key in selector.removeprefix("$.").split("."):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def matches(pattern: str, line: dict[str, Any]) -> bool:
    body = pattern.strip()
    assert body.startswith("{") and body.endswith("}"), pattern
    token = r'\(|\)|&&|\|\||\$\.[\w.]+\s*=\s*"[^"]*"'
    tokens = re.findall(token, body[1:-1])
    assert not re.sub(token, "", body[1:-1]).strip(), f"a pattern this reader does not know: {pattern}"
    position = 0

    def expression() -> bool:  # a || b, where each of a, b is c && d
        nonlocal position
        result = conjunction()
        while position < len(tokens) and tokens[position] == "||":
            position += 1
            result = conjunction() or result
        return result

    def conjunction() -> bool:
        nonlocal position
        result = term()
        while position < len(tokens) and tokens[position] == "&&":
            position += 1
            result = term() and result
        return result

    def term() -> bool:
        nonlocal position
        token = tokens[position]
        position += 1
        if token == "(":
            result = expression()
            assert tokens[position] == ")", pattern
            position += 1
            return result
        selector, wanted = re.fullmatch(r'(\$\.[\w.]+)\s*=\s*"([^"]*)"', token).groups()  # type: ignore[union-attr]
        return _value(line, selector) == wanted

    result = expression()
    assert position == len(tokens), pattern
    return result


def test_the_pattern_reader_follows_cloudwatch_rules() -> None:
    line = {"message": "full essay served", "access": {"kind": "metered"}, "level": "INFO"}
    assert matches('{ ($.message = "full essay served") && ($.access.kind = "metered") }', line)
    assert not matches('{ ($.message = "full essay served") && ($.access.kind = "subscription") }', line)
    assert matches('{ ($.level = "ERROR") || ($.message = "full essay served") }', line)
    assert not matches('{ $.missing.key = "x" }', line)


def test_the_filters_count_what_the_webhook_and_checkout_really_log() -> None:
    statuses, groups = _log_groups()
    # unmatched and applied events acknowledged; checkout with Stripe down; a free essay, then the meter spent
    assert statuses == [200, 200, 503, 200, 403]

    def counted(filter_name: str) -> list[dict[str, Any]]:
        properties = RESOURCES[filter_name]["Properties"]
        lines = groups[properties["LogGroupName"]["Ref"]]
        return [line for line in lines if matches(properties["FilterPattern"], line)]

    outcomes = counted("WebhookOutcomesFilter")
    dimension = RESOURCES["WebhookOutcomesFilter"]["Properties"]["MetricTransformations"][0]["Dimensions"][0]
    assert [_value(line, dimension["Value"]) for line in outcomes] == ["unmatched", "applied"]
    (attention,) = counted("WebhookAttentionFilter")
    assert attention["outcome"] == "unmatched"  # someone paid and has no access: a person is told
    failures = counted("CheckoutFailuresFilter")
    assert [line["message"] for line in failures] == ["stripe unavailable"]
    (metered,) = counted("MeteredReadsFilter")
    assert metered["essayId"] == "stalin-rise-to-power"
    (spent,) = counted("MeterSpentFilter")
    assert spent["essayId"] == "multiplier-effect"
