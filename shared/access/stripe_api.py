"""Stripe, through its official library: the two API calls of the billing routes and the webhook's
signature check. Only the billing and webhook functions import this module (and so `stripe`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import stripe

from shared.access.subscriptions import Checkout
from shared.errors import InvalidRequest, Unavailable
from shared.observability import logger

# Stripe answers in well under a second; two tries of at most 3 s stay inside the 8 s timeout.
TIMEOUT_SECONDS = 3
_BUSY = "The payment service is not answering right now; please retry in a moment."


class StripePayments:
    """Customers, Checkout and customer-portal sessions. The secret key is read on first use (Secrets Manager)."""

    def __init__(self, secret_key: Callable[[], str], api_base: str | None = None) -> None:
        self._secret_key = secret_key
        self._api_base = api_base
        self._client: stripe.StripeClient | None = None
        self._key = ""

    @property
    def client(self) -> stripe.StripeClient:
        """The client for the current secret key: rebuilt when a rotated key reaches the secret cache
        (shared/store/secrets.py keeps a value SECRETS_MAX_AGE_MINUTES at most), so a warm container
        never keeps calling Stripe with a revoked key."""
        key = self._secret_key()
        if self._client is None or key != self._key:
            self._client = stripe.StripeClient(
                key,
                base_addresses={"api": self._api_base} if self._api_base else None,  # api_base: a local fake
                http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
                max_network_retries=1,
            )
            self._key = key
        return self._client

    def create_customer(self, user_id: str, idempotency_key: str) -> str:
        """The reader's Stripe customer (their user id in its metadata); the same key, the same customer."""
        with stripe_errors():
            customer = self.client.v1.customers.create(
                params={"metadata": {"userId": user_id}}, options={"idempotency_key": idempotency_key}
            )
        return str(customer.id)

    def checkout_session(self, params: dict[str, Any], idempotency_key: str) -> Checkout:
        with stripe_errors():
            session = self.client.v1.checkout.sessions.create(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key},
            )
        # what the session was made for is start_checkout's to say
        return Checkout(str(session.id), str(session.url), datetime.fromtimestamp(int(session.expires_at), UTC))

    def portal_url(self, params: dict[str, Any]) -> str:
        with stripe_errors():
            session = self.client.v1.billing_portal.sessions.create(params=params)  # type: ignore[arg-type]
        return str(session.url)


@contextmanager
def stripe_errors() -> Iterator[None]:
    """Stripe unreachable, rate limiting or failing (5xx): 503, retry. Anything else (a bad key, a
    refused request) is a fault of ours: it propagates as a 500, with Stripe's reason logged."""
    try:
        yield
    except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as error:
        logger.warning("stripe unavailable", extra={"error": type(error).__name__})
        raise Unavailable(_BUSY) from error
    except stripe.StripeError as error:
        logger.error("stripe refused", extra={"error": type(error).__name__, "reason": str(error)})
        raise


def verified_event(payload: bytes, signature: str | None, signing_secret: str) -> Mapping[str, Any]:
    """The event in `payload`, once its Stripe-Signature header is checked with the endpoint's secret
    (the library's scheme and default 300 s tolerance); InvalidRequest otherwise."""
    if not signature:
        raise InvalidRequest("the Stripe-Signature header is missing")
    try:
        event = stripe.Webhook.construct_event(payload, signature, signing_secret)
    except stripe.SignatureVerificationError:
        raise InvalidRequest("the Stripe-Signature header does not match the body") from None
    except (ValueError, TypeError, AttributeError):  # not UTF-8 JSON, or JSON but not an object
        raise InvalidRequest("the body is not a Stripe event") from None
    return event.to_dict()  # type: ignore[no-any-return]
