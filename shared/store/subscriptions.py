"""The subscriptions table (key userId): how a reader's record is stored.

  userId                  the token's `sub`
  customerId              their one Stripe customer (the first recorded stays)
  subscriptions           {sub_id: {plan, status, currentPeriodEnd, cancelAtPeriodEnd, eventKey, source,
                          customerId}}: each subscription of ours, as its newest event left it
  revision                bumped by every write of `subscriptions` (optimistic locking)
  plan, status, currentPeriodEnd, cancelAtPeriodEnd, subscriptionId, updatedAt
                          the summary: the subscription access follows (all the authorizer reads)
  checkout                the open Checkout Session {sessionId, url, expiresAt, requestKey}
  checkoutWindow, checkoutRequests   the distinct checkout requests of the current hour
  signedOutAt             tokens issued before it are refused

The authorizer and the billing routes read it; the webhook (and an operator) write the subscriptions;
the billing routes write only the customer and the checkout attributes (IAM pins which)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from shared.access.subscriptions import (
    OPERATOR_GRANT,
    Account,
    Checkout,
    PlanSubscription,
    Source,
    Status,
    Subscription,
)
from shared.access.times import iso
from shared.store.dynamo import Table, conditional_write, dynamodb_errors, from_item, to_attribute


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


def _plan_subscription(key: str, entry: Any) -> PlanSubscription:
    if not isinstance(entry, dict):
        raise MalformedSubscription(f"subscriptions.{key} is not a map")
    for field in ("plan", "status", "currentPeriodEnd", "eventKey"):
        if not isinstance(entry.get(field), str):
            raise MalformedSubscription(f"subscriptions.{key}.{field} is missing or not text")
    try:
        status, source = Status(entry["status"]), Source(entry.get("source", Source.STRIPE.value))
    except ValueError:
        raise MalformedSubscription(f"subscriptions.{key} has an unknown status or source") from None
    return PlanSubscription(
        id=key,
        plan=entry["plan"],
        status=status,
        current_period_end=_instant(entry["currentPeriodEnd"], f"subscriptions.{key}.currentPeriodEnd"),
        cancel_at_period_end=entry.get("cancelAtPeriodEnd") is True,
        event_key=entry["eventKey"],
        customer_id=entry.get("customerId") or "",
        source=source,
    )


def _entry_of(subscription: PlanSubscription) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "plan": subscription.plan,
        "status": subscription.status.value,
        "currentPeriodEnd": iso(subscription.current_period_end),
        "cancelAtPeriodEnd": subscription.cancel_at_period_end,
        "eventKey": subscription.event_key,
        "source": subscription.source.value,
    }
    if subscription.customer_id:
        entry["customerId"] = subscription.customer_id
    return entry


def _checkout_of(value: Any) -> Checkout | None:
    """The open Checkout Session remembered on the record; anything odd is forgotten (a new one is made)."""
    if not isinstance(value, dict) or not all(isinstance(value.get(k), str) for k in ("sessionId", "url", "expiresAt")):
        return None
    try:
        expires = _instant(value["expiresAt"], "checkout.expiresAt")
    except MalformedSubscription:
        return None
    return Checkout(value["sessionId"], value["url"], expires, str(value.get("requestKey", "")))


def account_of(item: dict[str, Any]) -> Account:
    """A record with only a customer (checked out, no subscription event yet) has no subscription.
    A record written before subscriptions were kept one by one reads as one subscription."""
    customer = item.get("customerId")
    if customer is not None and not (isinstance(customer, str) and customer):
        raise MalformedSubscription("customerId is not text")
    subscription = subscription_of(item) if "status" in item else None
    listed = item.get("subscriptions")
    if listed is not None:
        if not isinstance(listed, dict):
            raise MalformedSubscription("subscriptions is not a map")
        subscriptions = tuple(_plan_subscription(key, entry) for key, entry in listed.items())
    elif subscription is not None:
        legacy_id = item.get("subscriptionId")
        subscriptions = (
            PlanSubscription(
                id=legacy_id if isinstance(legacy_id, str) and legacy_id else OPERATOR_GRANT,
                plan=subscription.plan,
                status=subscription.status,
                current_period_end=subscription.current_period_end,
                cancel_at_period_end=subscription.cancel_at_period_end,
                event_key=str(item.get("eventKey", "")),
                customer_id=customer or "",
                source=Source.STRIPE if isinstance(legacy_id, str) and legacy_id else Source.OPERATOR,
            ),
        )
    else:
        subscriptions = ()
    revision = item.get("revision", 0)
    signed_out = item.get("signedOutAt")
    earned = item.get("earnedEssays", 0)
    return Account(
        customer,
        subscription,
        subscriptions,
        revision if isinstance(revision, int) else 0,
        _checkout_of(item.get("checkout")),
        _instant(signed_out, "signedOutAt") if isinstance(signed_out, str) else None,
        earned if isinstance(earned, int) and earned > 0 else 0,
    )


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


_SUMMARY = ("plan", "status", "currentPeriodEnd", "cancelAtPeriodEnd", "subscriptionId")


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

    def set_customer(self, user_id: str, customer_id: str) -> str:
        """Record the reader's Stripe customer unless they already have one: the first stays theirs
        (one customer per reader). The customer the record names, either way."""
        with conditional_write() as write:
            self.client.update_item(
                TableName=self.table_name,
                Key={"userId": {"S": user_id}},
                UpdateExpression="SET customerId = :c",
                ConditionExpression="attribute_not_exists(customerId) OR customerId = :c",
                ExpressionAttributeValues={":c": {"S": customer_id}},
            )
        if not write.refused:
            return customer_id
        account = self.account(user_id)
        if account is None or account.customer_id is None:  # refused, yet no customer: a fault of ours
            raise MalformedSubscription(f"the record of {user_id!r} refused customer {customer_id!r} but names none")
        return account.customer_id

    def save_subscriptions(
        self,
        user_id: str,
        subscriptions: Sequence[PlanSubscription],
        summary: PlanSubscription | None,
        revision: int,
        at: datetime,
    ) -> bool:
        """The reader's subscriptions and the summary the authorizer reads, if the record is still at
        `revision` (False: another writer changed it first; read again)."""
        values: dict[str, Any] = {
            "subscriptions": {s.id: _entry_of(s) for s in subscriptions},
            "revision": revision + 1,
            "updatedAt": iso(at),
        }
        remove: list[str] = []
        if summary is None:
            remove = list(_SUMMARY)
        else:
            values |= {
                "plan": summary.plan,
                "status": summary.status.value,
                "currentPeriodEnd": iso(summary.current_period_end),
                "cancelAtPeriodEnd": summary.cancel_at_period_end,
                "subscriptionId": summary.id,
            }
        names = {f"#{k}": k for k in [*values, *remove]}
        update = "SET " + ", ".join(f"#{k} = :{k}" for k in values)
        if summary is not None and summary.customer_id:  # the first customer stays the reader's
            update += ", customerId = if_not_exists(customerId, :customer)"
            values["customer"] = summary.customer_id
        if remove:
            update += " REMOVE " + ", ".join(f"#{k}" for k in remove)
        condition = "attribute_not_exists(#revision)" if revision == 0 else "#revision = :expected"
        attributes = {f":{k}": to_attribute(v) for k, v in values.items()}
        if revision:
            attributes[":expected"] = to_attribute(revision)
        with conditional_write() as write:
            self.client.update_item(
                TableName=self.table_name,
                Key={"userId": {"S": user_id}},
                UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=attributes,
            )
        return not write.refused

    def count_checkout(self, user_id: str, window: str, request_key: str, limit: int, again: bool = True) -> bool:
        """One conditional write: the window's set of distinct checkout requests gains `request_key`,
        unless it already holds `limit` others (False). The same request again counts once, so racing
        clicks that Stripe answers with one session never use up the reader's allowance."""
        key = {"SS": [request_key]}
        with conditional_write() as write:
            self.client.update_item(
                TableName=self.table_name,
                Key={"userId": {"S": user_id}},
                UpdateExpression="ADD checkoutRequests :k",
                ConditionExpression=(
                    "checkoutWindow = :w AND (size(checkoutRequests) < :limit OR contains(checkoutRequests, :r))"
                ),
                ExpressionAttributeValues={
                    ":k": key,
                    ":r": {"S": request_key},
                    ":w": {"S": window},
                    ":limit": {"N": str(limit)},
                },
            )
        if not write.refused:
            return True
        with conditional_write() as write:  # a new window (or the first checkout): start its set
            self.client.update_item(
                TableName=self.table_name,
                Key={"userId": {"S": user_id}},
                UpdateExpression="SET checkoutWindow = :w, checkoutRequests = :k",
                ConditionExpression="attribute_not_exists(checkoutWindow) OR checkoutWindow <> :w",
                ExpressionAttributeValues={":w": {"S": window}, ":k": key},
            )
        if write.refused:
            # the window is the current one: its limit is reached, or it was opened meanwhile (once more)
            return again and self.count_checkout(user_id, window, request_key, limit, again=False)
        return True

    def remember_checkout(self, user_id: str, checkout: Checkout) -> None:
        session = {
            "sessionId": checkout.session_id,
            "url": checkout.url,
            "expiresAt": iso(checkout.expires_at),
            "requestKey": checkout.request_key,
        }
        with dynamodb_errors():
            self.client.update_item(
                TableName=self.table_name,
                Key={"userId": {"S": user_id}},
                UpdateExpression="SET checkout = :s",
                ExpressionAttributeValues={":s": to_attribute(session)},
            )

    def sign_out(self, user_id: str, at: datetime) -> None:
        """Tokens issued before `at` are refused from now on (the authorizer compares their `iat`)."""
        with dynamodb_errors():
            self.client.update_item(
                TableName=self.table_name,
                Key={"userId": {"S": user_id}},
                UpdateExpression="SET signedOutAt = :at",
                ExpressionAttributeValues={":at": {"S": iso(at)}},
            )
