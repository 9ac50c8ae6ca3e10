"""The submissions table: contributors' essays and their review, apart from the content table (the
content functions cannot read it; only the submissions and review functions may, template.yaml).

  pk                  sk      what
  SUBMISSION#<id>     META    the submission: header, state, claim, annotations, rating, history, version
  SUBMISSION#<id>     TEXT    its paragraphs, as the contributor sent them (written once)

  index `contributor`: contributorId, createdAt#id   a contributor's own, newest first
  index `queue`: queue ("OPEN" while submitted or in review, absent after), createdAt#id: the review
  queue oldest first (a sparse index: a submission leaves it when it is published, returned,
  rejected or withdrawn)

Every change is a conditional write on the version it was read at: two teachers racing for a
claim, or a withdrawal racing a publication, cannot both win (the loser gets a 409).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from shared.errors import Conflict
from shared.library.models import Annotation
from shared.library.submissions import QUEUED, Event, Submission
from shared.store.dynamo import Table, dynamodb_errors, from_item, to_item
from shared.store.rows import AnnotationRow

META, TEXT = "META", "TEXT"
OPEN = "OPEN"
CONTRIBUTOR_INDEX, QUEUE_INDEX = "contributor", "queue"
RACED = "this submission changed meanwhile (another teacher, or its contributor): reload it and try again"


def submission_pk(submission_id: str) -> str:
    return f"SUBMISSION#{submission_id}"


def _key(submission_id: str, sk: str) -> dict[str, dict[str, str]]:
    return {"pk": {"S": submission_pk(submission_id)}, "sk": {"S": sk}}


def to_values(s: Submission) -> dict[str, Any]:
    order = f"{s.created_at}#{s.submission_id}"
    return {
        "pk": submission_pk(s.submission_id),
        "sk": META,
        "submissionId": s.submission_id,
        "contributorId": s.contributor_id,
        "contributorOrder": order,
        **({"queue": OPEN, "queueOrder": order} if s.state in QUEUED else {}),
        "title": s.title,
        "level": s.level,
        "subject": s.subject,
        "section": s.section,
        "sectionId": s.section_id,
        "wordCount": s.word_count,
        "state": s.state,
        "credit": s.credit,
        "creditName": s.credit_name,
        "createdAt": s.created_at,
        "updatedAt": s.updated_at,
        "version": s.version,
        "feedback": s.feedback,
        "reason": s.reason,
        "essayId": s.essay_id,
        "freeEssaysEarned": s.free_essays_earned,
        "annotations": [AnnotationRow.to_item(a) for a in s.annotations],
        "rating": s.rating,
        "teacherComment": s.teacher_comment,
        "claimedBy": s.claimed_by,
        "claimExpiresAt": s.claim_expires_at,
        "history": [e.to_json() for e in s.history],
    }


def of_values(v: dict[str, Any]) -> Submission:
    return Submission(
        submission_id=v["submissionId"],
        contributor_id=v["contributorId"],
        title=v["title"],
        level=v["level"],
        subject=v["subject"],
        section=v["section"],
        section_id=v["sectionId"],
        word_count=int(v["wordCount"]),
        state=v["state"],
        credit=v["credit"],
        credit_name=v.get("creditName"),
        created_at=v["createdAt"],
        updated_at=v["updatedAt"],
        version=int(v["version"]),
        feedback=v.get("feedback"),
        reason=v.get("reason"),
        essay_id=v.get("essayId"),
        free_essays_earned=v.get("freeEssaysEarned"),
        annotations=tuple(
            Annotation(a["paragraph"], a["start"], a["end"], a["quote"], a["comment"], a["kind"])
            for a in v.get("annotations") or []
        ),
        rating=v.get("rating"),
        teacher_comment=v.get("teacherComment"),
        claimed_by=v.get("claimedBy"),
        claim_expires_at=v.get("claimExpiresAt"),
        history=tuple(Event(e["at"], e["actor"], e["action"], e.get("detail", "")) for e in v.get("history") or []),
    )


def _raced(error: ClientError) -> bool:
    code = error.response.get("Error", {}).get("Code")
    return code in ("ConditionalCheckFailedException", "TransactionCanceledException")


class SubmissionStore(Table):
    def create(self, submission: Submission, paragraphs: list[str], emphasis: list[dict[str, Any]]) -> None:
        """The submission and its text, both or neither (one transaction)."""
        text = {
            "pk": submission_pk(submission.submission_id),
            "sk": TEXT,
            "paragraphs": paragraphs,
            "emphasis": emphasis,
        }
        condition = {"ConditionExpression": "attribute_not_exists(pk)"}
        with dynamodb_errors():
            self.client.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": self.table_name, "Item": to_item(text), **condition}},
                    {"Put": {"TableName": self.table_name, "Item": to_item(to_values(submission)), **condition}},
                ]
            )

    def get(self, submission_id: str) -> Submission | None:
        with dynamodb_errors():
            item = self.client.get_item(
                TableName=self.table_name, Key=_key(submission_id, META), ConsistentRead=True
            ).get("Item")
        return of_values(from_item(item)) if item else None

    def text(self, submission_id: str) -> tuple[list[str], list[dict[str, Any]]]:
        with dynamodb_errors():
            item = self.client.get_item(TableName=self.table_name, Key=_key(submission_id, TEXT)).get("Item")
        values = from_item(item) if item else {}
        return list(values.get("paragraphs") or []), list(values.get("emphasis") or [])

    def save(self, before: Submission, after: Submission) -> Submission:
        """`after` written in place of `before`, if nobody changed it meanwhile (else Conflict)."""
        saved = after.__class__(**{**after.__dict__, "version": before.version + 1})
        try:
            with dynamodb_errors():
                self.client.put_item(
                    TableName=self.table_name,
                    Item=to_item(to_values(saved)),
                    ConditionExpression="version = :version",
                    ExpressionAttributeValues={":version": {"N": str(before.version)}},
                )
        except ClientError as error:
            if _raced(error):
                raise Conflict(RACED) from None
            raise
        return saved

    def _page(self, index: str, key: str, value: str, newest_first: bool, limit: int, after: str | None) -> Any:
        order = "contributorOrder" if index == CONTRIBUTOR_INDEX else "queueOrder"
        query: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": index,
            "KeyConditionExpression": "#k = :v",
            "ExpressionAttributeNames": {"#k": key},
            "ExpressionAttributeValues": {":v": {"S": value}},
            "ScanIndexForward": not newest_first,
            "Limit": limit + 1,  # one more: a next cursor never leads to an empty page
        }
        if after:
            submission_id = after.rsplit("#", 1)[1]
            query["ExclusiveStartKey"] = {
                key: {"S": value},
                order: {"S": after},
                "pk": {"S": submission_pk(submission_id)},
                "sk": {"S": META},
            }
        with dynamodb_errors():
            items = [from_item(i) for i in self.client.query(**query).get("Items", [])]
        page = [of_values(i) for i in items[:limit]]
        next_after = str(items[limit - 1][order]) if len(items) > limit else None
        return page, next_after

    def contributed(self, contributor_id: str, limit: int, after: str | None) -> tuple[list[Submission], str | None]:
        """A contributor's submissions, newest first: one Query of the contributor index."""
        page: tuple[list[Submission], str | None] = self._page(
            CONTRIBUTOR_INDEX, "contributorId", contributor_id, True, limit, after
        )
        return page

    def queue(self, limit: int, after: str | None) -> tuple[list[Submission], str | None]:
        """Submissions waiting for review or in review, oldest first: one Query of the sparse queue index."""
        page: tuple[list[Submission], str | None] = self._page(QUEUE_INDEX, "queue", OPEN, False, limit, after)
        return page
