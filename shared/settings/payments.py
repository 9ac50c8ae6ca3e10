"""Payments: Stripe, the checkout and portal pages readers return to, and the webhook."""

from __future__ import annotations

import re
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


# A scheme and a host (and port): the site's origin as the edge sends it, never a path.
EDGE_SITE_ORIGIN = re.compile(r"^https://[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?(?::\d{1,5})?$")
SUCCESS_PAGE, CANCEL_PAGE, PORTAL_PAGE = "/subscribed?session_id={CHECKOUT_SESSION_ID}", "/plans", "/account"


@dataclass(frozen=True)
class ReturnPages:
    """Where Stripe sends readers back (after paying, after cancelling, from the customer portal): the
    URLs named, else the site's own pages on SITE_ORIGIN, else (the site on its CloudFront domain,
    which the template cannot name here) on the origin the edge sends with the request."""

    success: str
    cancel: str
    portal: str
    site: str

    @classmethod
    def from_env(cls) -> ReturnPages:
        names = ("CHECKOUT_SUCCESS_URL", "CHECKOUT_CANCEL_URL", "PORTAL_RETURN_URL", "SITE_ORIGIN")
        return cls(*(local_or_https(name, optional(name) or "") for name in names))

    def urls(self, edge_origin: str | None) -> tuple[str, str, str] | None:
        """The three URLs; None when a page is not named and no site origin is known (a request that
        came to the API directly rather than through the site)."""
        edge = (edge_origin or "").lower()
        site = self.site or (edge if EDGE_SITE_ORIGIN.fullmatch(edge) else "")
        pages = ((self.success, SUCCESS_PAGE), (self.cancel, CANCEL_PAGE), (self.portal, PORTAL_PAGE))
        if not site and not all(named for named, _ in pages):
            return None
        success, cancel, portal = (named or f"{site}{page}" for named, page in pages)
        return success, cancel, portal


def checkout_sessions_per_hour() -> int:
    """New Checkout Sessions one reader may make in an hour."""
    return whole_number("CHECKOUT_SESSIONS_PER_HOUR", 10, 1, 1000)


def webhook_secret_id() -> str:
    """The Secrets Manager secret holding the webhook endpoint's whsec_... signing secret."""
    return required("STRIPE_WEBHOOK_SECRET_ID")
