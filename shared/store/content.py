"""Read access to the content table for the public functions. Every method is a fixed,
small number of key lookups or Queries: never a Scan."""

from __future__ import annotations

from itertools import islice
from typing import Any

from shared.errors import StoredItemError
from shared.store import schema
from shared.store.dynamo import Table, batch_get, dynamodb_errors, from_item, projection, query_items
from shared.store.rows import (
    BodyRow,
    CardRow,
    RelatedRow,
    SectionPage,
    SectionRow,
    SitemapRow,
    SuggestRow,
    SummaryRow,
    TaxonomyRow,
)


class ContentStore(Table):
    def _get(self, key: dict[str, Any]) -> dict[str, Any] | None:
        with dynamodb_errors():
            response = self.client.get_item(TableName=self.table_name, Key=key)
        item = response.get("Item")
        return from_item(item) if item else None

    def get_card(self, essay_id: str) -> CardRow | None:
        """The essay's header and preview: one GetItem of an item under 4 KB."""
        item = self._get(schema.card_key(essay_id))
        return CardRow.from_item(item) if item else None

    def get_related(self, essay_id: str) -> RelatedRow | None:
        """The essay's precomputed related list: one GetItem of an item under 4 KB."""
        item = self._get(schema.related_key(essay_id))
        return RelatedRow.from_item(item) if item else None

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
            posting = schema.of_rated_sk(sk)
            if posting is None:
                raise StoredItemError(
                    f"stored posting {schema.term_pk(term)!r}: sort key {sk!r} is not <9-rating>#<id>"
                )
            found.append((posting[0], posting[1] or 0))
        return found

    def suggestions(self, prefix: str, limit: int) -> tuple[list[SuggestRow], bool]:
        """Titles with a word starting with prefix, best rated first, and whether they are all there are:
        one GetItem of one small item (the prefix's list, < 8 KB: one read unit), whatever the library's
        size. (A GetItem, not a Query of that key: botocore's first Query of a container costs ~10 ms
        more CPU than its first GetItem, measured.)"""
        with dynamodb_errors():
            response = self.client.get_item(
                TableName=self.table_name,
                Key=schema.suggest_key(prefix),
                **projection(SuggestRow.ATTRIBUTES),
            )
        item = response.get("Item")
        if not item:
            return [], True
        rows, complete = SuggestRow.list_from_item(from_item(item))
        return rows[:limit], complete and len(rows) <= limit

    def get_cards(self, essay_ids: list[str]) -> dict[str, CardRow]:
        """Cards of up to 100 essays in one BatchGetItem (unprocessed keys retried twice), by essay id."""
        keys = [schema.card_key(i) for i in essay_ids]
        cards = (CardRow.from_item(item) for item in batch_get(self.client, self.table_name, keys))
        return {card.header.essay_id: card for card in cards}

    def section_page(self, section_id: str, limit: int, start_after: str | None) -> SectionPage:
        """One page of a section's essays in title order: one Query.

        It reads one essay more than the page holds, so a next key never leads to an empty page.
        """
        pk = schema.section_pk(section_id)
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": pk}},
            "Limit": limit + 1,
        }
        if start_after:
            kwargs["ExclusiveStartKey"] = {"pk": {"S": pk}, "sk": {"S": start_after}}
        with dynamodb_errors():
            response = self.client.query(**kwargs)
        items = [from_item(i) for i in response.get("Items", [])]
        page = items[:limit]
        return SectionPage(
            section=SectionRow.from_item(page[0]) if page else None,
            essays=[SummaryRow.from_item(i) for i in page],
            next_key=str(page[-1]["sk"]) if len(items) > limit else None,
        )

    def sections(self) -> list[TaxonomyRow]:
        """Every section with its counts: one Query (a page holds thousands of sections)."""
        items = query_items(
            self.client,
            TableName=self.table_name,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": schema.TAXONOMY}},
        )
        return [TaxonomyRow.from_item(item) for item in items]

    def sitemap_entries(self, section_id: str, skip: int, limit: int) -> list[SitemapRow]:
        """A section's essays `skip` to `skip + limit` in title order, id and date only: Query pages of at
        most 1 MB each, so a sitemap file of 5,000 essays costs a handful of calls, never a Scan."""
        items = query_items(
            self.client,
            TableName=self.table_name,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": schema.section_pk(section_id)}},
            ProjectionExpression=", ".join(SitemapRow.ATTRIBUTES),
            Limit=skip + limit,
        )
        return [SitemapRow.from_item(item) for item in islice(items, skip, skip + limit)]

    def get_body(self, essay_id: str) -> BodyRow | None:
        """The paywalled full essay with its header: one GetItem (only the essay function may)."""
        item = self._get(schema.body_key(essay_id))
        return BodyRow.from_item(item) if item else None
