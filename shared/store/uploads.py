"""The uploads bucket: contributors' .docx files on their way to becoming submissions.

The browser posts a file straight to S3 with a presigned POST whose policy S3 enforces: this key
only, this content type only, at most `max_bytes`, within UPLOAD_SECONDS. Keys are
`uploads/<contributor>/<uploadId>.docx`, so a contributor can only ever name their own uploads.
The submissions function is the only reader: it reads an upload once, converts it, and deletes it
whatever the outcome; the bucket's lifecycle rule deletes what is never submitted (a day later).
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any

from botocore.config import Config
from botocore.exceptions import ClientError

from shared.errors import InvalidRequest
from shared.library.documents import DOCX_TYPE
from shared.store.clients import aws_client

UPLOAD_SECONDS = 900
PREFIX = "uploads/"
GONE = "that upload is not there: it expired or was already used; upload the file again"


@functools.cache
def s3_client() -> Any:
    # Signature version 4 (presigned POSTs with x-amz-* fields), the region's own endpoint.
    return aws_client("s3", Config(signature_version="s3v4", connect_timeout=1, read_timeout=3))


def upload_key(contributor_id: str, upload_id: str) -> str:
    return f"{PREFIX}{contributor_id}/{upload_id}.docx"


class Uploads:
    def __init__(self, bucket: str, max_bytes: int, client: Any = None) -> None:
        self.bucket = bucket
        self.max_bytes = max_bytes
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or s3_client()

    def form(self, contributor_id: str, upload_id: str, now: datetime) -> dict[str, Any]:
        """A presigned POST for one .docx of at most max_bytes: S3 refuses anything else."""
        key = upload_key(contributor_id, upload_id)
        post = self.client.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": DOCX_TYPE},
            Conditions=[
                {"Content-Type": DOCX_TYPE},
                ["content-length-range", 1, self.max_bytes],
            ],
            ExpiresIn=UPLOAD_SECONDS,
        )
        return {
            "uploadId": upload_id,
            "url": post["url"],
            "fields": post["fields"],
            "maxBytes": self.max_bytes,
            "expiresAt": (now + timedelta(seconds=UPLOAD_SECONDS)).isoformat(timespec="seconds").replace("+00:00", "Z"),
        }

    def take(self, contributor_id: str, upload_id: str) -> bytes:
        """The upload's bytes, and the upload deleted (read once, whatever its fate). Larger than
        max_bytes (S3's policy would not let it in; a defence in depth): refused, deleted too."""
        key = upload_key(contributor_id, upload_id)
        try:
            try:
                head = self.client.head_object(Bucket=self.bucket, Key=key)
                if int(head.get("ContentLength", 0)) > self.max_bytes:
                    raise InvalidRequest(
                        f"the file is larger than {self.max_bytes // (1024 * 1024)} MB: "
                        "remove the images, or paste the text"
                    )
                return bytes(self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read(self.max_bytes + 1))
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                    raise InvalidRequest(GONE) from None
                raise
        finally:
            self.client.delete_object(Bucket=self.bucket, Key=key)
