"""The meter: full essays a signed-in reader without a subscription may open a month."""

from __future__ import annotations

from shared.settings.environment import whole_number


def free_essays_per_month() -> int:
    """FREE_ESSAYS_PER_MONTH: 0 (the default) is the pure paywall."""
    return whole_number("FREE_ESSAYS_PER_MONTH", 0, 0, 100)
