"""The presigned POST's policy as S3 enforces it, pinned against the local emulator of `make dev`
(ministack, which checks a signed form's conditions before writing, as S3 documents: "Creating a
POST policy", conditions content-length-range and Content-Type). moto does not enforce them, so
this is where the size and type limits of the uploads are shown to hold on the local stack."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
import urllib3
from botocore.config import Config

from shared.library.documents import DOCX_TYPE
from shared.store.uploads import Uploads
from tests.conftest import ROOT
from tests.documents import essay_docx

BUCKET = "uploads-policy-test"
MAX_BYTES = 64 * 1024


@pytest.fixture(scope="module")
def s3() -> Iterator[Any]:
    from essays_cli.bench.stack import dynamodb_endpoint

    assert (ROOT / ".venv-ministack" / "bin" / "ministack").exists(), "make test installs ministack first"
    with dynamodb_endpoint() as url:  # ministack: every service on one endpoint
        client = boto3.client(
            "s3",
            endpoint_url=url,
            region_name="eu-west-2",
            aws_access_key_id="000000000000",
            aws_secret_access_key="local",
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
        )
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
        yield client


def post(form: dict[str, Any], data: bytes, content_type: str = DOCX_TYPE) -> tuple[int, bytes]:
    """The browser's upload: the form's fields, then the file, as multipart form data."""
    fields = {**form["fields"], "Content-Type": content_type}
    response = urllib3.request(
        "POST", form["url"], fields={**fields, "file": ("essay.docx", data, content_type)}, timeout=10
    )
    return int(response.status), bytes(response.data)


def test_the_form_takes_one_docx_within_the_size(s3: Any) -> None:
    uploads = Uploads(BUCKET, MAX_BYTES, s3)
    form = uploads.form("reader-1", "u-" + "1" * 24, datetime.now(UTC))
    assert post(form, essay_docx(["One two three four five."]))[0] == 204  # S3's default success_action_status
    assert uploads.take("reader-1", "u-" + "1" * 24).startswith(b"PK")


def test_s3_refuses_a_file_larger_than_the_policy_allows(s3: Any) -> None:
    form = Uploads(BUCKET, MAX_BYTES, s3).form("reader-1", "u-" + "2" * 24, datetime.now(UTC))
    status, body = post(form, b"PK" + b"\0" * MAX_BYTES)
    assert (status, b"<Code>EntityTooLarge</Code>" in body) == (400, True)  # as S3 answers
    assert "Contents" not in s3.list_objects_v2(Bucket=BUCKET, Prefix="uploads/reader-1/u-2")


def test_s3_refuses_another_content_type(s3: Any) -> None:
    form = Uploads(BUCKET, MAX_BYTES, s3).form("reader-1", "u-" + "3" * 24, datetime.now(UTC))
    status, body = post(form, b"%PDF-1.7", "application/pdf")
    assert (status, b"<Code>AccessDenied</Code>" in body) == (403, True)  # "Invalid according to Policy"
    assert "Contents" not in s3.list_objects_v2(Bucket=BUCKET, Prefix="uploads/reader-1/u-3")
