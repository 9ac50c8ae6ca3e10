"""One account per e-mail address: the user pool's PreSignUp and PostConfirmation triggers
(functions/signup) with events shaped like Cognito's, against moto's DynamoDB."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from shared.access.addresses import AddressTaken, address_key, normalised_email
from tests.conftest import LambdaContext, create_table_from_template

METER = "meter-signup-test"


@pytest.fixture
def signup(aws: None, ddb: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    create_table_from_template(ddb, "MeterTable", METER)
    monkeypatch.setenv("METER_TABLE", METER)
    return importlib.reload(importlib.import_module("functions.signup.app"))


def trigger(source: str, user: str, email: str) -> dict[str, Any]:
    """A Cognito user pool trigger event (version 1), as the service sends it."""
    return {
        "version": "1",
        "region": "eu-west-2",
        "userPoolId": "eu-west-2_TestPool",
        "userName": user,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "web-client-id"},
        "triggerSource": source,
        "request": {"userAttributes": {"email": email, "sub": user}, "validationData": None},
        "response": {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False},
    }


def sign_up(signup: Any, user: str, email: str) -> None:
    signup.handler(trigger("PreSignUp_SignUp", user, email), LambdaContext())
    signup.handler(trigger("PostConfirmation_ConfirmSignUp", user, email), LambdaContext())


@pytest.mark.parametrize(
    ("spelt", "mailbox"),
    [
        ("J.Smith+essays@GoogleMail.com", "jsmith@gmail.com"),
        ("jsmith@gmail.com", "jsmith@gmail.com"),
        ("Reader+one@Outlook.com", "reader@outlook.com"),
        ("name-disposable@yahoo.com", "name@yahoo.com"),
        ("first.last+x@example.org", "first.last+x@example.org"),  # an unknown provider: only the case
        ("  Mixed@Example.ORG ", "mixed@example.org"),
    ],
)
def test_addresses_that_reach_one_mailbox_are_one_address(spelt: str, mailbox: str) -> None:
    assert normalised_email(spelt) == mailbox


def test_a_second_account_for_the_same_mailbox_is_refused_at_sign_up(signup: Any) -> None:
    sign_up(signup, "user-1", "j.smith@gmail.com")
    for spelling in ("jsmith@gmail.com", "J.Smith+free@googlemail.com", "JSMITH@GMAIL.COM"):
        with pytest.raises(AddressTaken, match=r"already exists\. Sign in instead"):
            signup.handler(trigger("PreSignUp_SignUp", "user-2", spelling), LambdaContext())
    # the owner signing up again (a retried confirmation) and another mailbox both pass
    sign_up(signup, "user-1", "j.smith@gmail.com")
    sign_up(signup, "user-3", "someone.else@gmail.com")


def test_two_sign_ups_racing_past_the_check_leave_the_address_with_the_first_confirmed(
    signup: Any, caplog: pytest.LogCaptureFixture
) -> None:
    signup.handler(trigger("PreSignUp_SignUp", "user-a", "twin@outlook.com"), LambdaContext())
    signup.handler(trigger("PreSignUp_SignUp", "user-b", "twin+2@outlook.com"), LambdaContext())
    signup.handler(trigger("PostConfirmation_ConfirmSignUp", "user-a", "twin@outlook.com"), LambdaContext())
    event = trigger("PostConfirmation_ConfirmSignUp", "user-b", "twin+2@outlook.com")
    assert signup.handler(event, LambdaContext()) == event  # Cognito needs the event back
    assert [r.getMessage() for r in caplog.records] == ["address already claimed"]
    assert signup.REGISTRY.owner(address_key("twin@outlook.com")) == "user-a"


def test_the_registry_keeps_no_address_only_its_hash(signup: Any, ddb: Any) -> None:
    sign_up(signup, "user-1", "private.person@example.org")
    items = ddb.scan(TableName=METER)["Items"]
    assert len(items) == 1
    assert "private" not in str(items) and "example.org" not in str(items)
    assert items[0]["owner"] == {"S": "user-1"}
