"""The meter table: one item per reader and calendar month (`userId`, `month`), holding the set of
essays opened (`essays`, a string set) and `expiresAt` (DynamoDB TTL). The essay function writes it,
GET /me/subscription reads it, nothing else may (template.yaml)."""

from __future__ import annotations

from datetime import datetime

from shared.store.dynamo import Table, conditional_write, dynamodb_errors

# Opened already this month (a re-read, free), or room left: the whole rule, checked by DynamoDB.
_ROOM_OR_REREAD = "attribute_not_exists(essays) OR contains(essays, :id) OR size(essays) < :limit"


class MeterStore(Table):
    def open(self, user_id: str, month: str, essay_id: str, limit: int, expires_at: datetime) -> int | None:
        """Add the essay to the month's set if it is there already or the set holds fewer than `limit`:
        one conditional UpdateItem. Returns how many the set then holds, or None when refused."""
        with conditional_write() as write:
            response = self.client.update_item(
                TableName=self.table_name,
                Key={"userId": {"S": user_id}, "month": {"S": month}},
                UpdateExpression="ADD essays :essay SET expiresAt = if_not_exists(expiresAt, :expires)",
                ConditionExpression=_ROOM_OR_REREAD,
                ExpressionAttributeValues={
                    ":essay": {"SS": [essay_id]},
                    ":id": {"S": essay_id},
                    ":limit": {"N": str(limit)},
                    ":expires": {"N": str(int(expires_at.timestamp()))},
                },
                ReturnValues="ALL_NEW",
            )
        if write.refused:
            return None
        return len(response["Attributes"]["essays"]["SS"])

    def used(self, user_id: str, month: str) -> int:
        with dynamodb_errors():
            response = self.client.get_item(
                TableName=self.table_name,
                Key={"userId": {"S": user_id}, "month": {"S": month}},
                ConsistentRead=True,
                ProjectionExpression="essays",
            )
        return len(((response.get("Item") or {}).get("essays") or {}).get("SS") or [])
