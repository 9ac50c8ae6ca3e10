"""Read access to the subscriptions table (the authorizer's only data)."""

from __future__ import annotations

from typing import Any

from shared.store.dynamo import dynamodb_client, from_item, to_item
from shared.subscriptions import Subscription


class SubscriptionStore:
    def __init__(self, table_name: str, client: Any = None) -> None:
        self.table_name = table_name
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or dynamodb_client()

    def get(self, user_id: str) -> Subscription | None:
        """One GetItem; a malformed record raises MalformedSubscription (a fault: deny)."""
        response = self.client.get_item(TableName=self.table_name, Key={"userId": {"S": user_id}}, ConsistentRead=True)
        item = response.get("Item")
        return Subscription.from_item(from_item(item)) if item else None

    def put(self, subscription: Subscription) -> None:
        self.client.put_item(TableName=self.table_name, Item=to_item(subscription.to_item()))
