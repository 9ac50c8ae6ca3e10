"""Contributions: readers' submissions (the uploads bucket, the taxonomy to choose from) and the
teachers' review, whose publishing writes the essay as a load does."""

from __future__ import annotations

from dataclasses import dataclass

from shared.settings.environment import optional, required, whole_number
from shared.settings.http import HttpConfig


@dataclass(frozen=True, eq=False, repr=False)
class SubmissionsConfig:
    """/me/submissions: contributors' own submissions, the uploads bucket, the taxonomy to choose from."""

    submissions_table: str
    essays_table: str  # the TAXONOMY partition only (template.yaml)
    uploads_bucket: str
    max_upload_bytes: int
    http: HttpConfig

    @classmethod
    def from_env(cls) -> SubmissionsConfig:
        return cls(
            submissions_table=required("SUBMISSIONS_TABLE"),
            essays_table=required("ESSAYS_TABLE"),
            uploads_bucket=required("UPLOADS_BUCKET"),
            max_upload_bytes=whole_number("MAX_UPLOAD_MEGABYTES", 5, 1, 20) * 1024 * 1024,
            http=HttpConfig.from_env(),
        )


@dataclass(frozen=True, eq=False, repr=False)
class ReviewConfig:
    """/review/*: the teachers' queue and actions; publishing writes the essay as a load does."""

    submissions_table: str
    essays_table: str
    subscriptions_table: str  # a contributor's free essays, credited on publication
    claim_seconds: int
    free_essays_per_publication: int
    preview_share: float
    http: HttpConfig
    edge_distribution_parameter: str = ""  # the SSM parameter naming the site's distribution ("": no site)

    @classmethod
    def from_env(cls) -> ReviewConfig:
        return cls(
            submissions_table=required("SUBMISSIONS_TABLE"),
            essays_table=required("ESSAYS_TABLE"),
            subscriptions_table=required("SUBSCRIPTIONS_TABLE"),
            claim_seconds=whole_number("CLAIM_MINUTES", 30, 1, 1440) * 60,
            free_essays_per_publication=whole_number("FREE_ESSAYS_PER_PUBLICATION", 3, 0, 100),
            preview_share=whole_number("PREVIEW_SHARE_PERCENT", 30, 1, 50) / 100,
            http=HttpConfig.from_env(),
            edge_distribution_parameter=optional("EDGE_DISTRIBUTION_PARAMETER") or "",
        )
