"""How every instant is stored and answered: UTC, to the second, with a Z."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(moment: datetime) -> str:
    """2026-11-30T12:00:00Z, whatever the moment's zone (a naive moment is read as local time)."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
