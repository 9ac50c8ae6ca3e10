"""Read access to the content table for the public functions. Every method is a fixed,
small number of key lookups or Queries: never a Scan."""

from __future__ import annotations

from typing import Any

from shared.store import schema
from shared.store.dynamo import dynamodb_client, dynamodb_errors, from_item


class ContentStore:
    def __init__(self, table_name: str, client: Any = None) -> None:
        self.table_name = table_name
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or dynamodb_client()

    def _get(self, key: dict[str, Any]) -> dict[str, Any] | None:
        with dynamodb_errors():
            response = self.client.get_item(TableName=self.table_name, Key=key)
        item = response.get("Item")
        return from_item(item) if item else None

    def get_card(self, essay_id: str) -> dict[str, Any] | None:
        """The essay's header and preview: one GetItem of an item under 4 KB."""
        return self._get(schema.card_key(essay_id))
