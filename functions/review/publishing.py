"""Publishing a submission: the loader's own load of a one-essay file, from this function.

The essay is written exactly as `essays-seed load` writes one (infra/essays_cli/loading, packaged
into this function by `make build-ReviewFunction` with its dependencies): validated with the same
rules and words, its preview at PREVIEW_SHARE_PERCENT, search postings, suggest entries, its section's
entry, then its section rebuilt (every related list and the essay count) and the dirty mark cleared,
and its sitemap lastmod is its updatedAt. Nothing is derived a second way here.

Its id is the loader's id from the title plus the submission's own suffix: a contributor's title
can never replace an essay of the library that has the same title.

Then, in one transaction, the submission becomes published (on the condition that it is still the
version read) and the contributor's free essays are credited on their account: a retried publish
never credits twice, and a withdrawal that raced it leaves it unpublished (its essay removed).
"""

from __future__ import annotations

import functools
import json
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError
from essays_cli import invalidation
from essays_cli.loading.loader import Loader
from essays_cli.loading.previews import PreviewPolicy
from essays_cli.loading.run import Summary
from essays_cli.loading.slugs import essay_id_from_title

from shared.errors import Conflict, InvalidRequest
from shared.library.submissions import NAMED, Submission, iso
from shared.observability import logger
from shared.settings.contributions import ReviewConfig
from shared.store.dynamo import Table, dynamodb_errors, to_item
from shared.store.submissions import RACED, submission_pk, to_values


def essay_id_of(submission: Submission) -> str:
    suffix = submission.submission_id.removeprefix("s-")[:8]
    return f"{essay_id_from_title(submission.title)[: 100 - len(suffix) - 1]}-{suffix}"


def record_of(submission: Submission, essay_id: str, paragraphs: Sequence[str]) -> dict[str, Any]:
    """The submission as a line of a load file (the content team's format)."""
    return {
        "id": essay_id,
        "title": submission.title,
        "level": submission.level,
        "subject": submission.subject,
        "section": submission.section,
        "body": "\n\n".join(paragraphs),
        "rating": submission.rating,
        "teacherComment": submission.teacher_comment,
        "annotations": [
            {"paragraph": a.paragraph, "quote": a.quote, "start": a.start, "comment": a.comment, "kind": a.kind}
            for a in submission.annotations
        ],
        # named on the page only by their choice, under the name they gave (never their id or e-mail)
        **({"contributor": submission.credit_name} if submission.credit == NAMED and submission.credit_name else {}),
    }


class LibraryPublisher(Table):
    """The essays table, written by the loader; the commit also reaches the submissions and
    subscriptions tables, in the same transaction."""

    def __init__(self, config: ReviewConfig, client: Any = None) -> None:
        super().__init__(config.essays_table, client)
        self.config = config

    def load(self, submission: Submission, essay_id: str, paragraphs: Sequence[str]) -> Summary:
        problems: list[str] = []
        loader = Loader(
            self.client,
            self.table_name,
            PreviewPolicy(share=self.config.preview_share),
            concurrency=4,
            report=lambda problem: problems.append(f"{problem.field}: {problem.message}"),
        )
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"{submission.submission_id}.jsonl"
            path.write_text(json.dumps(record_of(submission, essay_id, paragraphs), ensure_ascii=False) + "\n")
            validation = loader.validate([path])
            if validation.rejected_lines:  # limits the contributor's text passed; a teacher's marks may not
                raise InvalidRequest("; ".join(problems) or "the essay cannot be published as it stands")
            summary = loader.load([path], validation)
        logger.info("essay published", extra={"essayId": essay_id, "sectionsRebuilt": summary.sections_rebuilt})
        return summary

    def publish(self, before: Submission, teacher: str, paragraphs: Sequence[str], now: datetime) -> Submission:
        essay_id = essay_id_of(before)
        credit = self.config.free_essays_per_publication
        after = before.publish(teacher, now, essay_id, credit)
        summary = self.load(before, essay_id, paragraphs)
        saved = Submission(**{**after.__dict__, "version": before.version + 1})
        try:
            with dynamodb_errors():
                self.client.transact_write_items(TransactItems=self._commit(before, saved, credit, now))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            self.loader_remove(essay_id)
            raise Conflict(RACED) from None
        self.tell_the_edge(summary)
        return saved

    def tell_the_edge(self, summary: Summary) -> None:
        """The site's edge forgets what the publication changed (the essay, its section's lists and
        pages, search, the sitemaps), as after a load (essays_cli/invalidation.py). A failure is logged:
        the essay is published either way, and the cached copies expire by their s-maxage."""
        try:
            said = invalidation.after_writes(self.edge, summary.changed_ids, summary.changed_sections, dry_run=False)
        except Exception as error:  # NotInvalidated, or the distribution id unreadable
            logger.warning("the edge was not told of the publication", extra={"reason": str(error)})
            return
        if said:
            logger.info(said)

    @functools.cached_property
    def edge(self) -> invalidation.Edge | None:
        """The site's distribution, by the id its SSM parameter holds (the function cannot name the
        distribution in the template: its API origin depends on this function); None without a site."""
        name = self.config.edge_distribution_parameter
        if not name:
            return None
        distribution_id = boto3.client("ssm").get_parameter(Name=name)["Parameter"]["Value"]
        return invalidation.CloudFront(boto3.client("cloudfront"), distribution_id)

    def _commit(self, before: Submission, saved: Submission, credit: int, now: datetime) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.config.submissions_table,
                    "Item": to_item(to_values(saved)),
                    "ConditionExpression": "pk = :pk AND version = :version",
                    "ExpressionAttributeValues": {
                        ":pk": {"S": submission_pk(before.submission_id)},
                        ":version": {"N": str(before.version)},
                    },
                }
            }
        ]
        if credit > 0:
            items.append(
                {
                    "Update": {
                        "TableName": self.config.subscriptions_table,
                        "Key": {"userId": {"S": before.contributor_id}},
                        "UpdateExpression": "ADD earnedEssays :n SET earnedAt = :at",
                        "ExpressionAttributeValues": {":n": {"N": str(credit)}, ":at": {"S": iso(now)}},
                    }
                }
            )
        return items

    def loader_remove(self, essay_id: str) -> None:
        Loader(self.client, self.table_name).remove([essay_id])
