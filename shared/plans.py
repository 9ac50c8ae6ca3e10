"""The subscription plans, from configuration (PLANS: a JSON list), shared by GET /plans and
the 403 answer that tells a lapsed reader how to subscribe."""

from __future__ import annotations

import json
import os

from pydantic import TypeAdapter, ValidationError

from shared.config import ConfigError
from shared.models import Plan

DEFAULT_PLANS = '[{"name": "Monthly", "price": "6.99", "currency": "GBP", "period": "month"}]'


def configured_plans() -> list[Plan]:
    try:
        plans = TypeAdapter(list[Plan]).validate_python(json.loads(os.environ.get("PLANS") or DEFAULT_PLANS))
    except (ValueError, ValidationError) as error:
        raise ConfigError(f"PLANS is not a valid list of plans: {error}") from None
    if not plans:
        raise ConfigError("PLANS must list at least one plan")
    return plans
