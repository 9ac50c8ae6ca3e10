"""Read access to the content table for the public functions. Every method is a fixed,
small number of key lookups or Queries: never a Scan."""

from __future__ import annotations

from typing import Any

from shared.errors import Unavailable
from shared.store import schema
from shared.store.dynamo import BUSY, Table, dynamodb_errors, from_item


class ContentStore(Table):
    def _get(self, key: dict[str, Any]) -> dict[str, Any] | None:
        with dynamodb_errors():
            response = self.client.get_item(TableName=self.table_name, Key=key)
        item = response.get("Item")
        return from_item(item) if item else None

    def get_card(self, essay_id: str) -> dict[str, Any] | None:
        """The essay's header and preview: one GetItem of an item under 4 KB."""
        return self._get(schema.card_key(essay_id))

    def get_related(self, essay_id: str) -> dict[str, Any] | None:
        """The essay's precomputed related list: one GetItem of an item under 4 KB."""
        return self._get(schema.related_key(essay_id))

    def postings(self, term: str, limit: int) -> list[tuple[str, int]]:
        """(essayId, rating) of essays whose title has the term, best rated first: one Query."""
        with dynamodb_errors():
            response = self.client.query(
                TableName=self.table_name,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": schema.term_pk(term)}},
                ProjectionExpression="sk",
                Limit=limit,
            )
        found = []
        for item in response.get("Items", []):
            sk = item["sk"]["S"]
            found.append((schema.essay_id_of_posting(sk), 9 - int(sk.split("#", 1)[0])))
        return found

    def get_cards(self, essay_ids: list[str]) -> dict[str, dict[str, Any]]:
        """Cards of up to 100 essays in one BatchGetItem (unprocessed keys retried twice)."""
        request: dict[str, Any] = {self.table_name: {"Keys": [schema.card_key(i) for i in essay_ids]}}
        cards: dict[str, dict[str, Any]] = {}
        for _ in range(3):
            with dynamodb_errors():
                response = self.client.batch_get_item(RequestItems=request)
            for item in response.get("Responses", {}).get(self.table_name, []):
                card = from_item(item)
                cards[card["essayId"]] = card
            request = response.get("UnprocessedKeys") or {}
            if not request:
                return cards
        raise Unavailable(BUSY)

    def section_page(self, section_id: str, limit: int, start_after: str | None) -> list[dict[str, Any]]:
        """One page of a section's essays in title order: one Query."""
        pk = schema.section_pk(section_id)
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": pk}},
            "Limit": limit,
        }
        if start_after:
            kwargs["ExclusiveStartKey"] = {"pk": {"S": pk}, "sk": {"S": start_after}}
        with dynamodb_errors():
            response = self.client.query(**kwargs)
        return [from_item(i) for i in response.get("Items", [])]

    def sections(self) -> list[dict[str, Any]]:
        """Every section with its counts: one Query (a page holds thousands of sections)."""
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": schema.TAXONOMY}},
        }
        items: list[dict[str, Any]] = []
        while True:
            with dynamodb_errors():
                response = self.client.query(**kwargs)
            items += [from_item(i) for i in response.get("Items", [])]
            if "LastEvaluatedKey" not in response:
                return items
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def get_body(self, essay_id: str) -> dict[str, Any] | None:
        """The paywalled full essay with its header: one GetItem (only the essay function may)."""
        return self._get(schema.body_key(essay_id))
