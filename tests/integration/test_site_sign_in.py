"""The custom resource that gives the user pool client its sign-in addresses on the site's CloudFront
domain (template.yaml: SiteSignInAddresses), its inline code run against moto's Cognito: the managed
login's code flow turned on with the distribution's URLs, and the client's other settings kept (an
UpdateUserPoolClient resets what it is not sent)."""

from __future__ import annotations

import sys
import types
from typing import Any

import boto3
import pytest

from tests.conftest import LambdaContext
from tests.unit.test_template_launch import RESOURCES

SITE = "https://d1a2b3c4d5e6f7.cloudfront.net"


@pytest.fixture
def resource_handler(aws: None, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list[dict[str, Any]]]:
    """The function's inline code, with CloudFormation's cfnresponse module replaced by a recorder."""
    answers: list[dict[str, Any]] = []
    cfnresponse = types.ModuleType("cfnresponse")
    cfnresponse.SUCCESS, cfnresponse.FAILED = "SUCCESS", "FAILED"  # type: ignore[attr-defined]

    def send(event: Any, context: Any, status: str, data: Any, physical_id: str, reason: str = "") -> None:
        answers.append({"status": status, "physicalId": physical_id, "reason": reason})

    cfnresponse.send = send  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "cfnresponse", cfnresponse)
    namespace: dict[str, Any] = {}
    exec(RESOURCES["SiteSignInFunction"]["Properties"]["Code"]["ZipFile"], namespace)
    return namespace["handler"], answers


def client_as_the_template_makes_it() -> tuple[Any, str, str]:
    """The client as SignInOnDistributionDomain creates it: no code flow (Cognito refuses one without a
    callback URL), token lifetimes of its own."""
    cognito = boto3.client("cognito-idp")
    pool = cognito.create_user_pool(PoolName="readers")["UserPool"]["Id"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="web",
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        SupportedIdentityProviders=["COGNITO"],
        AccessTokenValidity=60,
        IdTokenValidity=60,
        TokenValidityUnits={"AccessToken": "minutes", "IdToken": "minutes"},
        PreventUserExistenceErrors="ENABLED",
    )["UserPoolClient"]["ClientId"]
    return cognito, pool, client


def request(kind: str, pool: str, client: str) -> dict[str, Any]:
    properties = RESOURCES["SiteSignInAddresses"]["Properties"]
    return {
        "RequestType": kind,
        "ResponseURL": "https://cloudformation-custom-resource-response.example/",
        "StackId": "arn:aws:cloudformation:eu-west-2:123456789012:stack/essays/1",
        "RequestId": "r-1",
        "LogicalResourceId": "SiteSignInAddresses",
        "ResourceType": "Custom::SiteSignInAddresses",
        "ResourceProperties": {
            "ServiceToken": "arn:aws:lambda:eu-west-2:123456789012:function:site-sign-in",
            "UserPoolId": pool,
            "ClientId": client,
            "AllowedOAuthFlows": properties["AllowedOAuthFlows"],
            "AllowedOAuthScopes": properties["AllowedOAuthScopes"],
            "CallbackURLs": [f"{SITE}/callback"],
            "LogoutURLs": [f"{SITE}/"],
        },
    }


@pytest.mark.parametrize("kind", ["Create", "Update"])
def test_the_client_gets_the_code_flow_back_to_the_site_and_keeps_its_settings(
    resource_handler: tuple[Any, list[dict[str, Any]]], kind: str
) -> None:
    handler, answers = resource_handler
    cognito, pool, client = client_as_the_template_makes_it()
    handler(request(kind, pool, client), LambdaContext())

    assert answers == [{"status": "SUCCESS", "physicalId": "site-sign-in-addresses", "reason": ""}]
    after = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client)["UserPoolClient"]
    assert after["AllowedOAuthFlowsUserPoolClient"] is True
    assert after["AllowedOAuthFlows"] == ["code"] and set(after["AllowedOAuthScopes"]) == {"openid", "email"}
    assert after["CallbackURLs"] == [f"{SITE}/callback"] and after["LogoutURLs"] == [f"{SITE}/"]
    # what the template set and an update would otherwise reset
    assert after["ClientName"] == "web" and after["AccessTokenValidity"] == 60
    assert after["TokenValidityUnits"]["AccessToken"] == "minutes"
    assert set(after["ExplicitAuthFlows"]) == {"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    assert after["PreventUserExistenceErrors"] == "ENABLED"


def test_a_failure_is_reported_to_cloudformation_not_left_hanging(
    resource_handler: tuple[Any, list[dict[str, Any]]],
) -> None:
    handler, answers = resource_handler
    _, pool, _ = client_as_the_template_makes_it()
    handler(request("Create", pool, "no-such-client"), LambdaContext())
    assert len(answers) == 1 and answers[0]["status"] == "FAILED" and answers[0]["reason"]


def test_deleting_the_resource_leaves_the_client_to_the_stack(
    resource_handler: tuple[Any, list[dict[str, Any]]],
) -> None:
    handler, answers = resource_handler
    cognito, pool, client = client_as_the_template_makes_it()
    handler(request("Delete", pool, client), LambdaContext())
    assert answers[0]["status"] == "SUCCESS"
    assert cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client)["UserPoolClient"]["ClientName"] == "web"


def test_the_client_and_the_resource_name_the_same_flow_and_the_resource_follows_the_client() -> None:
    client = RESOURCES["UserPoolClient"]["Properties"]
    custom = RESOURCES["SiteSignInAddresses"]["Properties"]
    assert client["AllowedOAuthFlows"]["If"][1] == custom["AllowedOAuthFlows"] == ["code"]
    assert client["AllowedOAuthScopes"]["If"][1] == custom["AllowedOAuthScopes"]
    # a deploy that changes the client changes the resource too, so the addresses are set again
    assert custom["Client"] == client
    assert RESOURCES["SiteSignInAddresses"]["Condition"] == "SignInOnDistributionDomain"
