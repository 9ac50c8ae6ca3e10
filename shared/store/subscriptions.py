"""The subscriptions table (key userId): the authorizer's only data, and how a record is stored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.access.subscriptions import Status, Subscription
from shared.store.dynamo import Table, from_item, to_item


class MalformedSubscription(ValueError):
    """A stored record that does not fit: the authorizer denies (fails closed) and logs it."""


def _instant(value: str, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise MalformedSubscription(f"{field} is not an ISO 8601 date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def subscription_of(item: dict[str, Any]) -> Subscription:
    for field in ("userId", "plan", "status", "currentPeriodEnd", "updatedAt"):
        if not isinstance(item.get(field), str) or not item[field]:
            raise MalformedSubscription(f"{field} is missing or not text")
    try:
        status = Status(item["status"])
    except ValueError:
        raise MalformedSubscription(f"status {item['status']!r} is not one we know") from None
    return Subscription(
        item["userId"],
        item["plan"],
        status,
        _instant(item["currentPeriodEnd"], "currentPeriodEnd"),
        _instant(item["updatedAt"], "updatedAt"),
    )


def item_of(subscription: Subscription) -> dict[str, str]:
    return {
        "userId": subscription.user_id,
        "plan": subscription.plan,
        "status": subscription.status.value,
        "currentPeriodEnd": _iso(subscription.current_period_end),
        "updatedAt": _iso(subscription.updated_at),
    }


class SubscriptionStore(Table):
    def get(self, user_id: str) -> Subscription | None:
        """One GetItem; a malformed record raises MalformedSubscription (a fault: deny)."""
        response = self.client.get_item(TableName=self.table_name, Key={"userId": {"S": user_id}}, ConsistentRead=True)
        item = response.get("Item")
        return subscription_of(from_item(item)) if item else None

    def put(self, subscription: Subscription) -> None:
        self.client.put_item(TableName=self.table_name, Item=to_item(item_of(subscription)))
