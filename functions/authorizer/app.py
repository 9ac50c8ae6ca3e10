"""TOKEN authorizer of GET /essays/{essayId}: active subscribers read full essays; with the meter on,
signed-in readers without a subscription pass as `metered` and the essay function counts them."""

from typing import Any

from shared.access.policy import Unauthorized, decide, policy
from shared.access.tokens import JwksCache, TokenRejected, TokenVerifier
from shared.observability import logged, logger
from shared.settings.identity import IdentityConfig
from shared.settings.meter import free_essays_per_month
from shared.settings.tables import subscriptions_table
from shared.store.subscriptions import SubscriptionStore

IDENTITY = IdentityConfig.from_env()
VERIFIER = TokenVerifier(IDENTITY.issuer, JwksCache(IDENTITY.jwks_url))
SUBSCRIPTIONS = SubscriptionStore(subscriptions_table())
FREE_ESSAYS_PER_MONTH = free_essays_per_month()


@logged()  # never logs the event: it holds the token
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        decision = decide(
            VERIFIER, SUBSCRIPTIONS, event.get("authorizationToken"), free_essays_per_month=FREE_ESSAYS_PER_MONTH
        )
    except TokenRejected as rejected:
        logger.info("token rejected", extra={"reason": str(rejected)})
        raise Unauthorized() from None
    logger.info(
        "access decided", extra={"allow": decision.allow, "userId": decision.principal, "reason": decision.reason}
    )
    return policy(decision, str(event.get("methodArn", "")))
