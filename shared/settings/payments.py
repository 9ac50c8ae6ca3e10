"""Payments: Stripe, the checkout and portal pages readers return to, and the webhook."""

from __future__ import annotations

from dataclasses import dataclass

from shared.settings.environment import local_or_https, optional, required, whole_number


@dataclass(frozen=True, eq=False, repr=False)
class StripeConfig:
    secret_key_id: str  # the Secrets Manager secret holding the Stripe secret key (its ARN or name)
    api_base: str | None  # None: Stripe itself; a local fake in tests and on the local stack

    @classmethod
    def from_env(cls) -> StripeConfig:
        base = local_or_https("STRIPE_API_BASE", optional("STRIPE_API_BASE") or "")
        return cls(secret_key_id=required("STRIPE_SECRET_KEY_ID"), api_base=base or None)


def checkout_urls() -> tuple[str, str, str]:
    """Where Stripe sends readers back: after paying, after cancelling, and from the customer portal."""
    names = ("CHECKOUT_SUCCESS_URL", "CHECKOUT_CANCEL_URL", "PORTAL_RETURN_URL")
    success, cancel, portal = (local_or_https(name, required(name)) for name in names)
    return success, cancel, portal


def checkout_sessions_per_hour() -> int:
    """New Checkout Sessions one reader may make in an hour."""
    return whole_number("CHECKOUT_SESSIONS_PER_HOUR", 10, 1, 1000)


def webhook_secret_id() -> str:
    """The Secrets Manager secret holding the webhook endpoint's whsec_... signing secret."""
    return required("STRIPE_WEBHOOK_SECRET_ID")
