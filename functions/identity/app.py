"""TOKEN authorizer of the signed-in routes (POST /checkout, POST /billing/portal, GET /me/subscription):
any reader with a valid token passes, subscriber or not. It verifies the token only and reads no data."""

from typing import Any

from shared.access.policy import SIGNED_IN_ROUTES, Unauthorized, policy, signed_in
from shared.access.tokens import JwksCache, TokenRejected, TokenVerifier
from shared.observability import logged, logger
from shared.settings.identity import IdentityConfig

IDENTITY = IdentityConfig.from_env()
VERIFIER = TokenVerifier(IDENTITY.issuer, JwksCache(IDENTITY.jwks_url))


@logged()  # never logs the event: it holds the token
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        decision = signed_in(VERIFIER, event.get("authorizationToken"))
    except TokenRejected as rejected:
        logger.info("token rejected", extra={"reason": str(rejected)})
        raise Unauthorized() from None
    logger.info(
        "identity decided", extra={"allow": decision.allow, "userId": decision.principal, "reason": decision.reason}
    )
    return policy(decision, str(event.get("methodArn", "")), SIGNED_IN_ROUTES)
