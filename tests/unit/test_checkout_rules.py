"""start_checkout's refusal of a plan we do not sell: before any read or Stripe call, naming them all."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from shared.access.billing import CheckoutSettings, start_checkout
from shared.errors import InvalidRequest


class Untouchable:
    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"{name} called for a plan we do not sell")


def test_an_unknown_plan_is_refused_with_every_plan_named_and_nothing_asked() -> None:
    settings = CheckoutSettings(
        {"Monthly": "price_m", "Yearly": "price_y"}, "https://s/ok", "https://s/no", "https://s/a"
    )
    with pytest.raises(InvalidRequest) as refused:
        start_checkout(Untouchable(), Untouchable(), settings, "u1", datetime.now(UTC), plan="Platinum")
    assert str(refused.value) == "plan must be one of: Monthly, Yearly (GET /plans lists them)"
