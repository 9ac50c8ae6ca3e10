"""GET /me/subscription: the signed-in reader's own subscription (status, plan, currentPeriodEnd,
cancelAtPeriodEnd; `status: "none"` for a reader who never subscribed) and this month's free-essay
meter (null when the meter is off), and `earnedEssays`: the free essays the reader earned by publishing
their own work and has not opened yet. POST /me/signout: sign out everywhere (204; the subscription
authorizer refuses tokens issued before it). The reader is the one the token names: there is no
user id in the path, query or body to tamper with."""

from collections.abc import Callable
from datetime import UTC, datetime

from shared.access.meter import EARNED, month_so_far
from shared.access.models import Meter, MySubscription
from shared.access.times import iso
from shared.http.api import Event, Response, api_handler, no_content, private_response, reader_id
from shared.observability import logger
from shared.settings.http import HttpConfig
from shared.settings.meter import free_essays_per_month
from shared.settings.tables import meter_table, subscriptions_table
from shared.store.meter import MeterStore
from shared.store.subscriptions import SubscriptionStore

HTTP = HttpConfig.from_env()
ACCOUNTS = SubscriptionStore(subscriptions_table())
METER = MeterStore(meter_table())
FREE_ESSAYS_PER_MONTH = free_essays_per_month()
CLOCK: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731 - replaced by tests


@api_handler(HTTP)
def handler(event: Event, context: object) -> Response:
    user_id = reader_id(event)
    if event.get("resource") == "/me/signout":
        # Every token issued until now is refused by the subscription authorizer from here on, on
        # every device (within its cache TTL): a lost phone or a shared computer stops reading.
        ACCOUNTS.sign_out(user_id, CLOCK())
        logger.info("signed out everywhere", extra={"userId": user_id})
        return no_content(HTTP)
    return private_response(my_subscription(user_id, CLOCK()).to_json(), HTTP)


def my_subscription(user_id: str, now: datetime) -> MySubscription:
    """The answer, apart from the handler: mutation testing (`make mutation`) leaves decorated
    functions alone."""
    account = ACCOUNTS.account(user_id)
    subscription = account.subscription if account else None
    meter = None
    if FREE_ESSAYS_PER_MONTH > 0:
        count = month_so_far(METER, user_id, FREE_ESSAYS_PER_MONTH, now)
        meter = Meter(count.used, count.limit, iso(count.resets_at))
    # what the reader earned by publishing their own, less those opened with it (read only if any)
    earned = account.earned_essays if account else 0
    left = max(earned - METER.used(user_id, EARNED), 0) if earned > 0 else 0
    if subscription is None:
        return MySubscription("none", None, None, False, meter, left)
    return MySubscription(
        subscription.status.value,
        subscription.plan,
        iso(subscription.current_period_end),
        subscription.cancel_at_period_end,
        meter,
        left,
    )
