"""TOKEN authorizer of GET /essays/{essayId}: active subscribers read full essays; with the meter on,
signed-in readers without a subscription pass as `metered` and the essay function counts them."""

from typing import Any

from shared.access.policy import Unauthorized, decide, policy
from shared.access.tokens import JwksCache, TokenRejected, TokenVerifier
from shared.http.config import AuthorizerConfig
from shared.http.observability import logged, logger
from shared.store.subscriptions import SubscriptionStore

CONFIG = AuthorizerConfig.from_env()
VERIFIER = TokenVerifier(CONFIG.issuer, JwksCache(CONFIG.jwks_url))
SUBSCRIPTIONS = SubscriptionStore(CONFIG.subscriptions_table)


@logged()  # never logs the event: it holds the token
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        decision = decide(
            VERIFIER, SUBSCRIPTIONS, event.get("authorizationToken"), free_essays_per_month=CONFIG.free_essays_per_month
        )
    except TokenRejected as rejected:
        logger.info("token rejected", extra={"reason": str(rejected)})
        raise Unauthorized() from None
    logger.info(
        "access decided", extra={"allow": decision.allow, "userId": decision.principal, "reason": decision.reason}
    )
    return policy(decision, str(event.get("methodArn", "")))
