"""The billing table, the webhook's own: marks of handled Stripe events (expiring by DynamoDB TTL)
and the Stripe customer -> reader map.

  pk                   what
  EVENT#<evt_...>      an event already handled; `expiresAt` (epoch seconds) lets DynamoDB drop it
  CUSTOMER#<cus_...>   the reader (`userId`) a Stripe customer belongs to
"""

from __future__ import annotations

from datetime import datetime

from shared.store.dynamo import Table, conditional_write, dynamodb_errors

EVENT_PREFIX = "EVENT#"
CUSTOMER_PREFIX = "CUSTOMER#"


class BillingStore(Table):
    def seen(self, event_id: str) -> bool:
        with dynamodb_errors():
            response = self.client.get_item(
                TableName=self.table_name,
                Key={"pk": {"S": EVENT_PREFIX + event_id}},
                ConsistentRead=True,
                ProjectionExpression="pk",
            )
        return "Item" in response

    def mark(self, event_id: str, expires_at: datetime) -> None:
        """A conditional put: a concurrent duplicate delivery that marked it first is no error."""
        with conditional_write():
            self.client.put_item(
                TableName=self.table_name,
                Item={"pk": {"S": EVENT_PREFIX + event_id}, "expiresAt": {"N": str(int(expires_at.timestamp()))}},
                ConditionExpression="attribute_not_exists(pk)",
            )

    def link_customer(self, customer_id: str, user_id: str) -> None:
        with dynamodb_errors():
            self.client.put_item(
                TableName=self.table_name,
                Item={"pk": {"S": CUSTOMER_PREFIX + customer_id}, "userId": {"S": user_id}},
            )

    def user_of_customer(self, customer_id: str) -> str | None:
        with dynamodb_errors():
            response = self.client.get_item(
                TableName=self.table_name, Key={"pk": {"S": CUSTOMER_PREFIX + customer_id}}, ConsistentRead=True
            )
        user = (response.get("Item") or {}).get("userId", {}).get("S")
        return user if isinstance(user, str) and user else None
