"""The operator's commands against a deployed stack (moto here): `essays-admin table restore` brings a
stack's table back to a point in time and keeps it the stack's (moto's point-in-time restore copies the
table as it is at the call, so the damage is done right after that call, as if the copy were of an
earlier time); `essays-admin secret set` rotates a secret without the value touching the command line."""

from __future__ import annotations

import io
import json
from typing import Any

import boto3
import essays_cli.admin as admin
import pytest

from tests.conftest import create_table_from_template

STACK = "essay-library-prod"
TABLE = "essay-library-prod-SubscriptionsTable-1ABC"


@pytest.fixture
def stack(ddb: Any) -> Any:
    create_table_from_template(ddb, "SubscriptionsTable", TABLE)
    ddb.update_continuous_backups(
        TableName=TABLE, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    cloudformation = boto3.client("cloudformation")
    template = (
        '{"Resources": {"T": {"Type": "AWS::SNS::Topic"}}, "Outputs": {"SubscriptionsTableName": {"Value": "%s"}}}'
    )
    cloudformation.create_stack(StackName=STACK, TemplateBody=template % TABLE)
    return ddb


def reader(user: str, status: str) -> dict[str, Any]:
    return {"userId": {"S": user}, "status": {"S": status}, "plan": {"S": "Monthly"}}


def table_items(ddb: Any, table: str) -> dict[str, str]:
    return {i["userId"]["S"]: i["status"]["S"] for i in ddb.scan(TableName=table, ConsistentRead=True)["Items"]}


def damage_after_the_restore_call(ddb: Any, events: Any) -> None:
    """`events`: of the client that will restore (or of the session its client will be made from)."""

    def damage(**_: Any) -> None:
        ddb.put_item(TableName=TABLE, Item=reader("u1", "canceled"))  # overwritten by mistake
        ddb.delete_item(TableName=TABLE, Key={"userId": {"S": "u2"}})  # deleted by mistake
        ddb.put_item(TableName=TABLE, Item=reader("u9", "active"))  # written after the restore point

    events.register("after-call.dynamodb.RestoreTableToPointInTime", damage)


def test_the_stacks_table_holds_again_exactly_what_it_held_then(stack: Any, capsys: pytest.CaptureFixture[str]) -> None:
    ddb = stack
    for user, status in (("u1", "active"), ("u2", "past_due"), ("u3", "active")):
        ddb.put_item(TableName=TABLE, Item=reader(user, status))
    damage_after_the_restore_call(ddb, ddb.meta.events)
    tables_before = set(ddb.list_tables()["TableNames"])

    restored = admin.restore_table(ddb, TABLE, None)

    assert table_items(ddb, TABLE) == {"u1": "active", "u2": "past_due", "u3": "active"}
    assert (restored.written, restored.deleted) == (3, 1)
    assert set(ddb.list_tables()["TableNames"]) == tables_before, "the copy is gone; the stack's table is the same one"
    assert ddb.describe_table(TableName=TABLE)["Table"]["TableName"] == TABLE


def test_the_command_finds_the_table_by_the_stacks_output_and_asks_first(
    stack: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ddb = stack
    ddb.put_item(TableName=TABLE, Item=reader("u1", "active"))
    ddb.put_item(TableName=TABLE, Item=reader("u2", "active"))
    damage_after_the_restore_call(ddb, boto3._get_default_session().events)  # the command's own client
    command = ["table", "restore", "subscriptions", "--to", "2026-12-03T08:00:00+00:00", "--stack", STACK]

    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert admin.main(command) == 1
    assert table_items(ddb, TABLE) == {"u1": "active", "u2": "active"}  # not asked: nothing restored or damaged

    assert admin.main([*command, "--yes", "--keep-copy"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{TABLE}: restored to 2026-12-03T08:00:00+00:00 (2 items written, 1 deleted")
    assert table_items(ddb, TABLE) == {"u1": "active", "u2": "active"}
    copy = f"{TABLE}-restored-20261203T080000Z"
    assert copy in ddb.list_tables()["TableNames"] and f"copy kept as {copy}" in out


@pytest.mark.parametrize("when", ["yesterday", "2026-12-03T08:00:00"])
def test_a_time_without_its_offset_or_unreadable_is_refused(stack: Any, when: str) -> None:
    assert admin.main(["table", "restore", "meter", "--to", when, "--stack", STACK, "--yes"]) == 2


def secret_stack(where: str) -> Any:
    manager = boto3.client("secretsmanager")
    arns = {name: manager.create_secret(Name=name, SecretString="placeholder")["ARN"] for name in ("k", "w", "c")}
    outputs = {"StripeSecretKeyArn": arns["k"], "StripeWebhookSecretArn": arns["w"], "CursorSecretArn": arns["c"]}
    body = {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}, "Outputs": {k: {"Value": v} for k, v in outputs.items()}}
    boto3.client("cloudformation").create_stack(StackName=where, TemplateBody=json.dumps(body))
    return manager


def test_secret_set_reads_the_value_from_stdin_checks_its_shape_and_puts_a_new_version(
    aws: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    manager = secret_stack(STACK)
    monkeypatch.setattr("sys.stdin", io.StringIO("pk_live_publishable\n"))
    assert admin.main(["secret", "set", "stripe-key", "--stack", STACK]) == 2  # a publishable key: refused
    assert manager.get_secret_value(SecretId="k")["SecretString"] == "placeholder"
    monkeypatch.setattr("sys.stdin", io.StringIO("sk_live_abc123\n"))
    assert admin.main(["secret", "set", "stripe-key", "--stack", STACK]) == 0
    assert manager.get_secret_value(SecretId="k")["SecretString"] == "sk_live_abc123"
    assert "sk_live_abc123" not in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("whsec_xyz\n"))
    assert admin.main(["secret", "set", "stripe-webhook-secret", "--stack", STACK]) == 0
    assert manager.get_secret_value(SecretId="w")["SecretString"] == "whsec_xyz"
    assert admin.main(["secret", "set", "cursor-key", "--stack", STACK, "--generate"]) == 0
    assert len(manager.get_secret_value(SecretId="c")["SecretString"]) >= admin.MIN_CURSOR_KEY
    assert admin.main(["secret", "set", "stripe-key", "--stack", STACK, "--generate"]) == 2
