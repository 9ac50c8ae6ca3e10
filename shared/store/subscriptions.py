"""Read access to the subscriptions table (the authorizer's only data)."""

from __future__ import annotations

from shared.access.subscriptions import Subscription
from shared.store.dynamo import Table, from_item, to_item


class SubscriptionStore(Table):
    def get(self, user_id: str) -> Subscription | None:
        """One GetItem; a malformed record raises MalformedSubscription (a fault: deny)."""
        response = self.client.get_item(TableName=self.table_name, Key={"userId": {"S": user_id}}, ConsistentRead=True)
        item = response.get("Item")
        return Subscription.from_item(from_item(item)) if item else None

    def put(self, subscription: Subscription) -> None:
        self.client.put_item(TableName=self.table_name, Item=to_item(subscription.to_item()))
