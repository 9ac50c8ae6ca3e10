"""The subscription plans, from configuration (PLANS: a JSON list), shared by GET /plans, the 403
answer that tells a lapsed reader how to subscribe, checkout (each plan's Stripe price) and the
webhook (only subscriptions to these prices open the paywall). One configuration, so the price a
reader is shown is the price they are charged: each plan names its Stripe price (`priceId`); the
first may instead take STRIPE_PRICE_ID (template.yaml's StripePriceId parameter)."""

from __future__ import annotations

import json
import os
import re
from typing import Any

from shared.access.models import Plan
from shared.errors import ConfigError

DEFAULT_PLANS = '[{"name": "Monthly", "price": "6.99", "currency": "GBP", "period": "month"}]'
_PRICE = re.compile(r"^\d{1,6}\.\d{2}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_PRICE_ID = r"^(price|plan)_[A-Za-z0-9_]{1,200}$"  # compiled on first use: checkout's and the webhook's alone
_FIELDS = {"name", "price", "currency", "period"}
PERIODS = ("day", "week", "month", "year")


def _plan(entry: Any) -> Plan:
    if not isinstance(entry, dict) or not _FIELDS <= set(entry) <= _FIELDS | {"priceId"}:
        raise ConfigError("each plan must be an object with name, price, currency and period (and priceId)")
    name, price, currency, period = (entry[k] for k in ("name", "price", "currency", "period"))
    if not (isinstance(name, str) and name.strip()):
        raise ConfigError("a plan's name must be non-empty text")
    if not (isinstance(price, str) and _PRICE.fullmatch(price)):
        raise ConfigError(f'plan {name!r}: price must be decimal text such as "6.99"')
    if not (isinstance(currency, str) and _CURRENCY.fullmatch(currency)):
        raise ConfigError(f"plan {name!r}: currency must be an ISO 4217 code such as GBP")
    if period not in PERIODS:
        raise ConfigError(f"plan {name!r}: period must be one of {', '.join(PERIODS)}")
    return Plan(name=name, price=price, currency=currency, period=period)


def _entries() -> list[Any]:
    try:
        entries = json.loads(os.environ.get("PLANS") or DEFAULT_PLANS)
    except json.JSONDecodeError as error:
        raise ConfigError(f"PLANS is not valid JSON: {error}") from None
    if not isinstance(entries, list) or not entries:
        raise ConfigError("PLANS must be a JSON list of at least one plan")
    return entries


def configured_plans() -> list[Plan]:
    return [_plan(entry) for entry in _entries()]


def plan_prices() -> dict[str, str]:
    """Plan name -> its Stripe price id, in the configured order (the first is the default plan).
    A plan without a price (and no STRIPE_PRICE_ID for the first) cannot be bought: left out."""
    prices: dict[str, str] = {}
    for index, entry in enumerate(_entries()):
        plan = _plan(entry)
        price = entry.get("priceId") or (os.environ.get("STRIPE_PRICE_ID", "").strip() if index == 0 else "")
        if price:
            if not (isinstance(price, str) and re.fullmatch(_PRICE_ID, price)):
                raise ConfigError(f"plan {plan.name!r}: priceId must be a Stripe price id such as price_1Abc")
            prices[plan.name] = price
    return prices


def purchasable_plans() -> dict[str, str]:
    """plan_prices(), refused at start-up when no plan can be bought (a checkout could only fail)."""
    prices = plan_prices()
    if not prices:
        raise ConfigError("no plan has a Stripe price: set STRIPE_PRICE_ID or a plan's priceId in PLANS")
    return prices


def plans_of_prices() -> dict[str, str]:
    """Stripe price id -> plan name: the prices whose subscriptions open the paywall."""
    return {price: name for name, price in plan_prices().items()}
