"""The subscription check behind the full-essay route: who may read, decided fail-closed.

- no or unacceptable token, or one issued before the reader signed out everywhere
                                      -> Unauthorized (API Gateway answers 401)
- valid token, no entitled subscription -> Deny (403)
- any fault (JWKS, DynamoDB, a malformed record) -> Deny, with the reason logged
- valid token and an active or trialing subscription in its period -> Allow
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from shared.access.meter import METERED, SUBSCRIPTION
from shared.access.subscriptions import Account
from shared.access.tokens import TokenRejected, TokenVerifier

# The methods and paths an Allow covers. API Gateway caches one policy per token for every
# route behind an authorizer, so each list names all of its authorizer's routes, and nothing more.
PROTECTED_ROUTES = ("GET/essays/*",)  # the subscription authorizer: the full essay
SIGNED_IN_ROUTES = (  # the signed-in one
    "POST/checkout",
    "POST/billing/portal",
    "GET/me/subscription",
    "POST/me/signout",
    # contributors' own submissions (issue 34)
    "POST/me/submissions",
    "POST/me/submissions/uploads",
    "GET/me/submissions",
    "GET/me/submissions/*",
    "DELETE/me/submissions/*",
    # the teachers' review: the review function refuses callers outside the `teachers` group (403)
    "GET/review/*",
    "POST/review/*",
    "PUT/review/*",
    "DELETE/review/*",
)


class Unauthorized(Exception):
    """Raised with exactly this message, API Gateway answers 401 (its UNAUTHORIZED response)."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


class AccountReader(Protocol):
    """The subscriptions table, as the authorizer reads it (shared/store/subscriptions.py)."""

    def account(self, user_id: str) -> Account | None: ...


@dataclass(frozen=True)
class Decision:
    allow: bool
    principal: str
    reason: str
    context: dict[str, str] = field(default_factory=dict)


def decide(
    verifier: TokenVerifier,
    subscriptions: AccountReader,
    authorization: str | None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    free_essays_per_month: int = 0,
) -> Decision:
    """With the meter on (free_essays_per_month > 0), a signed-in reader without a subscription is
    allowed too, as `access: metered`: the essay function then counts each request against the
    meter, so a cached Allow never lets a reader past it."""
    try:
        claims = verifier.verify(authorization)
    except TokenRejected:
        raise
    except Exception as error:  # the key set could not be had: fail closed
        return Decision(False, "unknown", f"token check failed: {_fault(error)}")
    user_id = claims["sub"]
    try:
        account = subscriptions.account(user_id)
    except Exception as error:  # DynamoDB fault or malformed record: fail closed
        return Decision(False, user_id, f"subscription lookup failed: {_fault(error)}")
    # Both are whole seconds: a token issued in the second of the sign-out may predate it, so it is refused too.
    if account and account.signed_out_at and claims["iat"] <= account.signed_out_at.timestamp():
        raise TokenRejected("the token was issued before the reader signed out everywhere")
    subscription = account.subscription if account else None
    if subscription is not None and subscription.allows_reading(now()):
        context = {"userId": user_id, "plan": subscription.plan, "access": SUBSCRIPTION}
        return Decision(True, user_id, "active subscription", context)
    why = (
        "no subscription"
        if subscription is None
        else f"subscription {subscription.status.value}, ends {subscription.current_period_end.isoformat()}"
    )
    earned = account.earned_essays if account else 0
    if free_essays_per_month > 0 or earned > 0:
        context = {"userId": user_id, "plan": "", "access": METERED}
        if earned > 0:  # a contributor's free essays, earned by publishing (the essay function counts them)
            context["earned"] = str(earned)
        return Decision(True, user_id, f"metered: {why}", context)
    return Decision(False, user_id, why)


def signed_in(verifier: TokenVerifier, authorization: str | None) -> Decision:
    """The signed-in authorizer: a verified token is enough (no data is read). TokenRejected -> 401;
    a fault (the key set unreachable) -> Deny."""
    try:
        claims = verifier.verify(authorization)
    except TokenRejected:
        raise
    except Exception as error:
        return Decision(False, "unknown", f"token check failed: {_fault(error)}")
    user_id = claims["sub"]
    groups = claims.get("cognito:groups")
    context = {"userId": user_id}
    if isinstance(groups, list) and all(isinstance(g, str) and "," not in g for g in groups) and groups:
        context["groups"] = ",".join(groups)  # an authorizer's context holds strings, not lists
    return Decision(True, user_id, "signed in", context)


def _fault(error: Exception) -> str:
    """A fault as the decision's reason: the error, and the AWS or network error behind it (a
    reader's "busy, retry" says nothing of a throttle, a missing table or a denied role)."""
    cause = error.__cause__
    behind = f" (from {type(cause).__name__}: {cause})" if cause is not None else ""
    return f"{type(error).__name__}: {error}{behind}"


def policy(decision: Decision, method_arn: str, routes: tuple[str, ...] = PROTECTED_ROUTES) -> dict[str, Any]:
    """The IAM policy API Gateway expects from a TOKEN authorizer."""
    # arn:aws:execute-api:region:account:apiId/stage/METHOD/path...
    api, _, rest = method_arn.partition("/")
    stage = rest.split("/", 1)[0]
    resources = [f"{api}/{stage}/{route}" for route in routes] if stage else [method_arn]
    response: dict[str, Any] = {
        "principalId": decision.principal,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": "execute-api:Invoke",
                    "Effect": "Allow" if decision.allow else "Deny",
                    "Resource": resources,
                }
            ],
        },
    }
    if decision.context:
        response["context"] = decision.context
    return response
