"""The local stack's readers: two made at start in the stack's user pool (an active subscriber and a
lapsed one, with their subscriptions, signed in) and a teacher (in the pool's teachers group, who
reviews contributors' submissions), and those the local site's "Create an account" form makes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from essays_cli.dev.local import LOCAL_FREE_ESSAYS

SUBSCRIBER, LAPSED = "subscriber@example.com", "lapsed@example.com"
TEACHER = "teacher@example.com"  # in the user pool's teachers group: the review routes and pages
TOKEN_RENEWAL = 45 * 60  # seconds; the template's client issues access tokens for 60 minutes


@dataclass(frozen=True)
class Readers:
    user_pool_id: str
    client_id: str
    subscriber_token: str
    lapsed_token: str
    refresh_tokens: tuple[str, str]  # to renew both access tokens before they expire
    passwords: tuple[str, str]  # random at each start: for signing in on the local site
    teacher_id: str = ""  # the teacher's sub
    teacher_token: str = ""
    teacher_refresh_token: str = ""
    teacher_password: str = ""

    def renewed(self) -> Readers:
        """New access tokens, through the refresh-token flow the web client allows."""
        import boto3

        cognito = boto3.client("cognito-idp")
        subscriber, lapsed, teacher = (
            cognito.initiate_auth(
                ClientId=self.client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": token}
            )["AuthenticationResult"]["AccessToken"]
            if token
            else ""
            for token in (*self.refresh_tokens, self.teacher_refresh_token)
        )
        return replace(self, subscriber_token=subscriber, lapsed_token=lapsed, teacher_token=teacher)


def new_password() -> str:
    return secrets.token_urlsafe(16) + "Aa1"  # meets the pool's password policy


def sign_in(
    cognito: Any, pool: str, client: str, email: str, password: str | None = None, group: str | None = None
) -> tuple[str, str, str]:
    """A new reader in the pool (in `group`, before signing in, so their token names it), signed in:
    (their sub, access token, refresh token)."""
    password = password or new_password()
    attributes = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
    cognito.admin_create_user(UserPoolId=pool, Username=email, UserAttributes=attributes, MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool, Username=email, Password=password, Permanent=True)
    if group:
        cognito.admin_add_user_to_group(UserPoolId=pool, Username=email, GroupName=group)
    user = cognito.admin_get_user(UserPoolId=pool, Username=email)
    sub = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
    signed_in = cognito.admin_initiate_auth(
        UserPoolId=pool,
        ClientId=client,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    result = signed_in["AuthenticationResult"]
    return sub, result["AccessToken"], result["RefreshToken"]


def create_readers(outputs: dict[str, str]) -> Readers:
    """Two readers in the stack's user pool, with their subscriptions: one active, one lapsed."""
    import boto3

    from shared.access.billing import operator_grant
    from shared.access.meter import open_essay
    from shared.access.subscriptions import Status, Subscription
    from shared.store.meter import MeterStore
    from shared.store.subscriptions import SubscriptionStore

    cognito = boto3.client("cognito-idp")
    pool, client = outputs["UserPoolId"], outputs["UserPoolClientId"]
    subscriptions = SubscriptionStore(outputs["SubscriptionsTableName"], boto3.client("dynamodb"))
    now = datetime.now(UTC).replace(microsecond=0)
    tokens, refresh_tokens, passwords = {}, {}, {}
    meter = MeterStore(outputs["MeterTableName"], boto3.client("dynamodb"))
    for email, status, days in ((SUBSCRIBER, Status.ACTIVE, 30), (LAPSED, Status.CANCELED, -3)):
        password = passwords[email] = new_password()
        sub, tokens[email], refresh_tokens[email] = sign_in(cognito, pool, client, email, password)
        operator_grant(subscriptions, Subscription.for_days(sub, "Monthly", status, days, now), now)
    # The lapsed reader has read this month's free essays already, so their 403 shows at once;
    # a new reader (essays-dev billing-event, the e2e tests) starts with all of them.
    for n in range(LOCAL_FREE_ESSAYS):
        open_essay(meter, sub, f"read-earlier-{n}", LOCAL_FREE_ESSAYS, now)
    refresh = (refresh_tokens[SUBSCRIBER], refresh_tokens[LAPSED])
    # The teacher: the template's teachers group, so the token's cognito:groups opens /review/*.
    teacher_password = new_password()
    teacher_id, teacher_token, teacher_refresh = sign_in(cognito, pool, client, TEACHER, teacher_password, "teachers")
    return Readers(
        pool,
        client,
        tokens[SUBSCRIBER],
        tokens[LAPSED],
        refresh,
        (passwords[SUBSCRIBER], passwords[LAPSED]),
        teacher_id,
        teacher_token,
        teacher_refresh,
        teacher_password,
    )


def account_maker(pool: str) -> Any:
    """What the local site's "Create an account" form calls: a reader in the emulator's pool, e-mail
    verified (on AWS the managed login's sign-up verifies it with a code). An error in readers'
    words, or None."""
    import boto3

    cognito = boto3.client("cognito-idp")

    def create(email: str, password: str) -> str | None:
        if "@" not in email or len(email) > 200:
            return "Please give an e-mail address."
        try:
            attributes = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
            cognito.admin_create_user(
                UserPoolId=pool, Username=email, UserAttributes=attributes, MessageAction="SUPPRESS"
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "UsernameExistsException":
                return "There is already an account with that e-mail address: sign in instead."
            return "That account could not be created; please try other details."
        try:
            cognito.admin_set_user_password(UserPoolId=pool, Username=email, Password=password, Permanent=True)
        except ClientError:
            cognito.admin_delete_user(UserPoolId=pool, Username=email)
            return "That password is too simple: use 12 characters or more, with upper and lower case and a digit."
        return None

    return create
