"""Claimed e-mail addresses, in the meter table (the meter's rule is what they guard):
userId `ADDRESS#<sha256 of the normalised address>`, month `ADDRESS`, `owner` the account's sub.
Only the sign-up triggers (functions/signup) and the essay function's meter read or write them."""

from __future__ import annotations

from shared.store.dynamo import Table, conditional_write, dynamodb_errors

PREFIX, SORT = "ADDRESS#", "ADDRESS"


class AddressRegistry(Table):
    def _key(self, key: str) -> dict[str, dict[str, str]]:
        return {"userId": {"S": PREFIX + key}, "month": {"S": SORT}}

    def owner(self, key: str) -> str | None:
        with dynamodb_errors():
            item = self.client.get_item(TableName=self.table_name, Key=self._key(key), ConsistentRead=True).get("Item")
        owner = (item or {}).get("owner", {}).get("S")
        return owner if isinstance(owner, str) and owner else None

    def claim(self, key: str, user: str) -> str:
        with conditional_write() as write:
            self.client.put_item(
                TableName=self.table_name,
                Item={**self._key(key), "owner": {"S": user}},
                ConditionExpression="attribute_not_exists(userId) OR #owner = :user",
                ExpressionAttributeNames={"#owner": "owner"},
                ExpressionAttributeValues={":user": {"S": user}},
            )
        if write.refused:
            return self.owner(key) or user
        return user
