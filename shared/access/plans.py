"""The subscription plans, from configuration (PLANS: a JSON list), shared by GET /plans and
the 403 answer that tells a lapsed reader how to subscribe (template.yaml's Plans parameter)."""

from __future__ import annotations

import json
import os
import re
from typing import Any

from shared.http.config import ConfigError
from shared.library.models import Plan

DEFAULT_PLANS = '[{"name": "Monthly", "price": "6.99", "currency": "GBP", "period": "month"}]'
_PRICE = re.compile(r"^\d{1,6}\.\d{2}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
PERIODS = ("day", "week", "month", "year")


def _plan(entry: Any) -> Plan:
    if not isinstance(entry, dict) or set(entry) != {"name", "price", "currency", "period"}:
        raise ConfigError("each plan must be an object with exactly name, price, currency and period")
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


def configured_plans() -> list[Plan]:
    try:
        entries = json.loads(os.environ.get("PLANS") or DEFAULT_PLANS)
    except json.JSONDecodeError as error:
        raise ConfigError(f"PLANS is not valid JSON: {error}") from None
    if not isinstance(entries, list) or not entries:
        raise ConfigError("PLANS must be a JSON list of at least one plan")
    return [_plan(entry) for entry in entries]
