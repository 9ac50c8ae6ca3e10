"""The DynamoDB tables a function is given (their names, set by the template)."""

from __future__ import annotations

from shared.settings.environment import required


def essays_table() -> str:
    return required("ESSAYS_TABLE")


def subscriptions_table() -> str:
    return required("SUBSCRIPTIONS_TABLE")


def billing_table() -> str:
    """The webhook's ledger: the Stripe events applied, and which reader each customer is."""
    return required("BILLING_TABLE")


def meter_table() -> str:
    """The meter's counts, and the claimed e-mail addresses."""
    return required("METER_TABLE")
