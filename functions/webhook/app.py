"""POST /billing/webhook: Stripe's events, verified with the endpoint's signing secret, keep the
subscriptions table in step with payments. Public (no authorizer): the signature is the credential.

200 for handled, duplicate and ignored events; 400 for a bad, missing or expired signature or a body
that is not an event (nothing written); 413 over 256 KB; 503 when DynamoDB throttles (Stripe retries)."""

from datetime import UTC, datetime

from shared.access.billing import BillingEvent, Outcome, handle_event
from shared.access.models import WebhookReceipt
from shared.access.plans import plans_of_prices
from shared.access.stripe_api import verified_event
from shared.http.api import Event, Response, api_handler, header, private_response, raw_body
from shared.observability import logger
from shared.settings.http import HttpConfig
from shared.settings.payments import webhook_secret_id
from shared.settings.tables import billing_table, subscriptions_table
from shared.store.billing import BillingStore
from shared.store.secrets import secret_string
from shared.store.subscriptions import SubscriptionStore

MAX_BODY = 256 * 1024
HTTP = HttpConfig.from_env()
LEDGER = BillingStore(billing_table())
ACCOUNTS = SubscriptionStore(subscriptions_table())
SIGNING_SECRET_ID = webhook_secret_id()
PLANS = plans_of_prices()  # Stripe price id -> our plan: other prices never open the paywall


@api_handler(HTTP)
def handler(event: Event, context: object) -> Response:
    payload = raw_body(event, MAX_BODY)
    verified = verified_event(payload, header(event, "Stripe-Signature"), secret_string(SIGNING_SECRET_ID))
    billing_event = BillingEvent.parse(verified)
    handled = handle_event(LEDGER, ACCOUNTS, billing_event, PLANS, datetime.now(UTC))
    fields = {"eventId": billing_event.id, "type": billing_event.type, "outcome": handled.outcome.value}
    log = logger.warning if handled.outcome is Outcome.UNMATCHED else logger.info
    log("stripe event", extra=fields)
    if handled.live > 1:  # two subscriptions Stripe charges for: the operator should refund one
        logger.warning("several live subscriptions", extra={**fields, "liveSubscriptions": handled.live})
    return private_response(WebhookReceipt(True, handled.outcome.value).to_json(), HTTP)
