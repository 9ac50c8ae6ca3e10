"""The subscriptions table (key userId): how a reader's record is stored. The authorizer reads it;
the billing routes read it; the webhook writes it, each change guarded by the event's place in time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from shared.access.subscriptions import Account, Status, Subscription, iso
from shared.store.dynamo import Table, dynamodb_errors, from_item, to_attribute

if TYPE_CHECKING:
    from shared.access.billing import SubscriptionState


class MalformedSubscription(ValueError):
    """A stored record that does not fit: the authorizer denies (fails closed) and logs it."""


def _instant(value: str, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise MalformedSubscription(f"{field} is not an ISO 8601 date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def subscription_of(item: dict[str, Any]) -> Subscription:
    for field in ("userId", "plan", "status", "currentPeriodEnd", "updatedAt"):
        if not isinstance(item.get(field), str) or not item[field]:
            raise MalformedSubscription(f"{field} is missing or not text")
    try:
        status = Status(item["status"])
    except ValueError:
        raise MalformedSubscription(f"status {item['status']!r} is not one we know") from None
    cancel = item.get("cancelAtPeriodEnd", False)
    if not isinstance(cancel, bool):
        raise MalformedSubscription("cancelAtPeriodEnd is not true or false")
    return Subscription(
        item["userId"],
        item["plan"],
        status,
        _instant(item["currentPeriodEnd"], "currentPeriodEnd"),
        _instant(item["updatedAt"], "updatedAt"),
        cancel,
    )


def account_of(item: dict[str, Any]) -> Account:
    """A record with only a customer (checked out, no subscription event yet) has no subscription."""
    customer = item.get("customerId")
    if customer is not None and not (isinstance(customer, str) and customer):
        raise MalformedSubscription("customerId is not text")
    subscription = subscription_of(item) if "status" in item else None
    return Account(customer, subscription)


def item_of(subscription: Subscription) -> dict[str, str | bool]:
    item: dict[str, str | bool] = {
        "userId": subscription.user_id,
        "plan": subscription.plan,
        "status": subscription.status.value,
        "currentPeriodEnd": iso(subscription.current_period_end),
        "updatedAt": iso(subscription.updated_at),
    }
    if subscription.cancel_at_period_end:  # absent means false: records written before it read the same
        item["cancelAtPeriodEnd"] = True
    return item


def _conditional_failure(error: ClientError) -> bool:
    return bool(error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException")


class SubscriptionStore(Table):
    def account(self, user_id: str) -> Account | None:
        """One strongly consistent GetItem; a malformed record raises MalformedSubscription (a fault)."""
        with dynamodb_errors():
            response = self.client.get_item(
                TableName=self.table_name, Key={"userId": {"S": user_id}}, ConsistentRead=True
            )
        item = response.get("Item")
        return account_of(from_item(item)) if item else None

    def get(self, user_id: str) -> Subscription | None:
        """The reader's subscription, if Stripe (or an operator) ever gave them one."""
        account = self.account(user_id)
        return account.subscription if account else None

    def put(self, subscription: Subscription) -> None:
        """Set the subscription's fields (an operator's grant), keeping the Stripe ids on the record."""
        values = {k: v for k, v in item_of(subscription).items() if k != "userId"}
        remove = "" if "cancelAtPeriodEnd" in values else " REMOVE cancelAtPeriodEnd"
        with dynamodb_errors():
            self.client.update_item(
                TableName=self.table_name,
                Key={"userId": {"S": subscription.user_id}},
                UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in values) + remove,
                ExpressionAttributeNames={f"#{k}": k for k in values},
                ExpressionAttributeValues={f":{k}": to_attribute(v) for k, v in values.items()},
            )

    def set_customer(self, user_id: str, customer_id: str) -> None:
        """Record the reader's Stripe customer (idempotent: writing the same value again is no change)."""
        with dynamodb_errors():
            self.client.update_item(
                TableName=self.table_name,
                Key={"userId": {"S": user_id}},
                UpdateExpression="SET customerId = :c",
                ExpressionAttributeValues={":c": {"S": customer_id}},
            )

    def apply(self, user_id: str, plan: str, state: SubscriptionState, order_key: str, at: datetime) -> bool:
        """Write what an event says, unless the record already holds a newer event's word (False)."""
        values = {
            ":plan": plan,
            ":status": state.status.value,
            ":end": iso(state.current_period_end),
            ":at": iso(at),
            ":cancel": state.cancel_at_period_end,
            ":customer": state.customer_id,
            ":subscription": state.subscription_id,
            ":key": order_key,
        }
        try:
            with dynamodb_errors():
                self.client.update_item(
                    TableName=self.table_name,
                    Key={"userId": {"S": user_id}},
                    UpdateExpression=(
                        "SET #plan = :plan, #status = :status, currentPeriodEnd = :end, updatedAt = :at, "
                        "cancelAtPeriodEnd = :cancel, customerId = :customer, subscriptionId = :subscription, "
                        "eventKey = :key"
                    ),
                    ConditionExpression="attribute_not_exists(eventKey) OR eventKey < :key",
                    ExpressionAttributeNames={"#plan": "plan", "#status": "status"},
                    ExpressionAttributeValues={k: to_attribute(v) for k, v in values.items()},
                )
        except ClientError as error:
            if _conditional_failure(error):
                return False
            raise
        return True
