"""POST /checkout (a Stripe Checkout URL for the plan) and POST /billing/portal (the Stripe customer
portal's URL), for signed-in readers. One function for both: they read the same record with the
same permissions and make one Stripe call each. The reader is the one the token names, never the body."""

from datetime import UTC, datetime

from shared.access.billing import CheckoutSettings, portal, start_checkout
from shared.access.stripe_api import StripePayments
from shared.http.api import Event, Response, api_handler, private_response, reader_id
from shared.http.config import BillingConfig
from shared.http.observability import logger
from shared.library.models import PaymentUrl
from shared.store.secrets import secret_string
from shared.store.subscriptions import SubscriptionStore

CONFIG = BillingConfig.from_env()
ACCOUNTS = SubscriptionStore(CONFIG.subscriptions_table)
PAYMENTS = StripePayments(lambda: secret_string(CONFIG.stripe.secret_key_id), CONFIG.stripe.api_base)
SETTINGS = CheckoutSettings(CONFIG.price_id, CONFIG.success_url, CONFIG.cancel_url, CONFIG.portal_return_url)


@api_handler(CONFIG.http)
def handler(event: Event, context: object) -> Response:
    user_id = reader_id(event)
    if event.get("resource") == "/billing/portal":
        url = portal(ACCOUNTS, PAYMENTS, SETTINGS, user_id)
        logger.info("portal session created", extra={"userId": user_id})
    else:
        url = start_checkout(ACCOUNTS, PAYMENTS, SETTINGS, user_id, datetime.now(UTC))
        logger.info("checkout session created", extra={"userId": user_id})
    return private_response(PaymentUrl(url).to_json(), CONFIG.http)
