"""What the payment routes return (GET /plans, POST /checkout, POST /billing/portal, GET /me/subscription,
POST /billing/webhook): wire models as shared/library/models.py describes them."""

from __future__ import annotations

from shared.library.models import ApiModel


class Meter(ApiModel):
    used: int
    limit: int
    resets_at: str


class Plan(ApiModel):
    name: str
    price: str  # decimal text, e.g. "6.99", so no float rounding reaches a price
    currency: str  # ISO 4217, e.g. GBP
    period: str  # day, week, month or year


class Plans(ApiModel):
    plans: list[Plan]


class PaymentUrl(ApiModel):
    """Where to send the reader: a Stripe Checkout or customer-portal page."""

    url: str


class MySubscription(ApiModel):
    status: str  # none (never subscribed), active, trialing, past_due, canceled, unpaid, ...
    plan: str | None
    current_period_end: str | None  # ISO 8601, UTC
    cancel_at_period_end: bool
    meter: Meter | None = None  # the free essays of this month (null when the meter is off)
    earned_essays: int = 0  # free full essays earned by publishing their own, not yet opened (for good)


class WebhookReceipt(ApiModel):
    received: bool
    outcome: str  # applied, stale, duplicate, ignored or unmatched
