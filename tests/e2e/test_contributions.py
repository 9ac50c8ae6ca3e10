"""Contributors and teachers over HTTP on the local stack (template.yaml in the emulator): a reader
uploads a .docx with the presigned POST and submits it, the local teacher (`make dev`'s, in the
teachers group) claims, annotates, rates and publishes, and the essay is in the library within
seconds: its preview, search, and the contributor's submission shows it published."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.documents import essay_docx

pytestmark = pytest.mark.e2e

PARAGRAPHS = [
    " ".join(f"The emancipation of {n} serfs in {year} changed the villages of the empire." for n in range(12))
    for year in (1861, 1862, 1863, 1864, 1865, 1866)
]
PUBLISH_WITHIN_SECONDS = 10


def test_a_docx_submitted_reviewed_and_published_over_http(stack: dict[str, Any]) -> None:
    api = stack["apiUrl"]
    # the subscriber writes: the 3 free essays a publication earns would open the paywall to the lapsed
    # reader, whom later tests (test_http, the essay page) keep out
    reader = {"Authorization": f"Bearer {stack['subscriberToken']}"}
    teacher = {"Authorization": f"Bearer {stack['teacherToken']}"}
    with httpx.Client(timeout=30) as http:
        form = http.post(f"{api}/me/submissions/uploads", headers=reader, json={"fileName": "e.docx"})
        assert form.status_code == 201, form.text
        fields = form.json()["fields"]
        sent = http.post(
            form.json()["url"], data=fields, files={"file": ("e.docx", essay_docx(PARAGRAPHS), fields["Content-Type"])}
        )
        assert sent.status_code == 204, sent.text  # S3's answer to a form upload
        submitted = http.post(
            f"{api}/me/submissions",
            headers=reader,
            json={
                "title": "Why were the serfs emancipated in 1861",
                "level": "AS and A Level",
                "subject": "History",
                "section": "Modern European History, 1789-1945",
                "uploadId": form.json()["uploadId"],
                "ownWork": True,
                "credit": "anonymous",
            },
        )
        assert submitted.status_code == 201, submitted.text
        sid = submitted.json()["submissionId"]

        assert http.get(f"{api}/review/queue", headers=reader).status_code == 403  # a reader is no teacher
        review = f"{api}/review/submissions/{sid}"
        assert http.post(f"{review}/claim", headers=teacher).status_code == 200
        quote = PARAGRAPHS[1][:40]
        note = {"paragraph": 2, "start": 0, "end": len(quote), "kind": "strength", "comment": "A clear opening."}
        assert http.post(f"{review}/annotations", headers=teacher, json=note).status_code == 201
        assert http.put(f"{review}/assessment", headers=teacher, json={"rating": 4}).status_code == 200

        started = time.monotonic()
        published = http.post(f"{review}/publish", headers=teacher)
        took = time.monotonic() - started
        assert published.status_code == 200, published.text
        assert took < PUBLISH_WITHIN_SECONDS, f"publishing took {took:.1f} s"
        essay_id = published.json()["essayId"]

        preview = http.get(f"{api}/essays/{essay_id}/preview")
        assert preview.status_code == 200 and preview.json()["rating"] == 4
        found = http.get(f"{api}/search", params={"q": "serfs emancipated 1861"}).json()
        assert essay_id in [r["essayId"] for r in found["results"]]
        mine = http.get(f"{api}/me/submissions/{sid}", headers=reader).json()
        assert (mine["state"], mine["essayId"], mine["freeEssaysEarned"]) == ("published", essay_id, 3)
