"""POST /checkout (a Stripe Checkout URL for a plan) and POST /billing/portal (the Stripe customer
portal's URL), for signed-in readers. One function for both: they read the same record with the
same permissions and make one Stripe call each (two for a reader's first checkout: their customer).
The reader is the one the token names, never the body; the body may name the plan and the site path
to come back to (`{"plan": "Monthly", "returnTo": "/essays/..."}`)."""

from collections.abc import Callable
from datetime import UTC, datetime

from shared.access.billing import CheckoutSettings, portal, return_path, start_checkout
from shared.access.models import PaymentUrl
from shared.access.plans import purchasable_plans
from shared.access.stripe_api import StripePayments
from shared.errors import InvalidRequest
from shared.http.api import Event, Response, api_handler, header, json_body, private_response, reader_id
from shared.observability import logger
from shared.settings.http import HttpConfig
from shared.settings.payments import ReturnPages, StripeConfig, checkout_sessions_per_hour
from shared.settings.tables import subscriptions_table
from shared.store.secrets import secret_string
from shared.store.subscriptions import SubscriptionStore

HTTP = HttpConfig.from_env()
ACCOUNTS = SubscriptionStore(subscriptions_table())
STRIPE = StripeConfig.from_env()
PAYMENTS = StripePayments(lambda: secret_string(STRIPE.secret_key_id), STRIPE.api_base)
PLANS = purchasable_plans()
RETURN_PAGES = ReturnPages.from_env()
SESSIONS_PER_HOUR = checkout_sessions_per_hour()
CLOCK: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731 - replaced by tests (the hourly limit)


def checkout_settings(event: Event) -> CheckoutSettings:
    urls = RETURN_PAGES.urls(header(event, "x-site-origin"))
    if urls is None:
        raise InvalidRequest(
            "start the payment from the site (its /api/checkout or /api/billing/portal): Stripe sends the reader "
            "back to the site's pages, and this request did not come through it"
        )
    return CheckoutSettings(PLANS, *urls, SESSIONS_PER_HOUR)


@api_handler(HTTP)
def handler(event: Event, context: object) -> Response:
    user_id = reader_id(event)
    settings = checkout_settings(event)
    if event.get("resource") == "/billing/portal":
        url = portal(ACCOUNTS, PAYMENTS, settings, user_id, CLOCK())
        logger.info("portal session created", extra={"userId": user_id})
    else:
        body = json_body(event, ("plan", "returnTo"))
        plan = body.get("plan")
        if plan is not None and not isinstance(plan, str):
            plan = ""  # refused by start_checkout, with the plans named
        url = start_checkout(ACCOUNTS, PAYMENTS, settings, user_id, CLOCK(), plan, return_path(body.get("returnTo")))
        logger.info("checkout session ready", extra={"userId": user_id})
    return private_response(PaymentUrl(url).to_json(), HTTP)
