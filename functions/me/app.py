"""GET /me/subscription: the signed-in reader's own subscription (status, plan, currentPeriodEnd,
cancelAtPeriodEnd); `status: "none"` for a reader who never subscribed. The reader is the one the
token names: there is no user id in the path, query or body to tamper with."""

from shared.access.subscriptions import iso
from shared.http.api import Event, Response, api_handler, private_response, reader_id
from shared.http.config import MeConfig
from shared.library.models import MySubscription
from shared.store.subscriptions import SubscriptionStore

CONFIG = MeConfig.from_env()
ACCOUNTS = SubscriptionStore(CONFIG.subscriptions_table)


@api_handler(CONFIG.http)
def handler(event: Event, context: object) -> Response:
    account = ACCOUNTS.account(reader_id(event))
    subscription = account.subscription if account else None
    if subscription is None:
        return private_response(MySubscription("none", None, None, False).to_json(), CONFIG.http)
    body = MySubscription(
        subscription.status.value,
        subscription.plan,
        iso(subscription.current_period_end),
        subscription.cancel_at_period_end,
    )
    return private_response(body.to_json(), CONFIG.http)
