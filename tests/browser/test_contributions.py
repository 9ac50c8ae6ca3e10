"""Contributors and teachers in Chromium (issue 34): the submit, my-submissions and review pages.

The review page's marking is checked first against a stand-in of the review routes (the contract's
answers, served by Playwright), so that what the page sends can be read exactly: a passage selected
with the mouse or the keyboard becomes the paragraph and [start, end) code-point offsets the API
anchors, an overlapping one is refused. Then the whole path against the local stack: a reader
submits a .docx, a teacher claims it, annotates two passages, rates and publishes it, the essay is
in search with a preview by the rules, and its writer sees it published with their free essays."""

from __future__ import annotations

import base64
import json
import re
import time
from typing import Any

import pytest

from tests.browser.conftest import Visit

pytestmark = pytest.mark.browser

PARAGRAPHS = [
    "Stalin's rise to power was neither sudden nor inevitable.",
    # a character outside the BMP: one code point for the API, two UTF-16 units for the browser
    "Lenin's testament \N{SCROLL} warned against him, yet the Politburo kept it quiet for years.",
    "By 1929 his rivals were gone.",
]


def fake_token(sub: str, groups: list[str]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part({'sub': sub, 'cognito:groups': groups})}.c2lnbmF0dXJl"


class ReviewStandIn:
    """GET /review/submissions/{id}, claim and annotations as CONTRACT-34 describes them, with the
    API's overlap rule; remembers what the page posted."""

    def __init__(self, teacher: str) -> None:
        self.teacher = teacher
        self.posted: list[dict[str, Any]] = []
        self.item: dict[str, Any] = {
            "submissionId": "s-test",
            "title": "Stalin's rise",
            "level": "AS and A Level",
            "subject": "History",
            "section": "Modern European History, 1789-1945",
            "sectionId": "x",
            "wordCount": 40,
            "state": "submitted",
            "credit": "anonymous",
            "creditName": None,
            "createdAt": "2026-12-01T10:00:00Z",
            "updatedAt": "2026-12-01T10:00:00Z",
            "paragraphs": PARAGRAPHS,
            "annotations": [],
            "rating": None,
            "teacherComment": None,
            "claim": None,
            "history": [{"at": "2026-12-01T10:00:00Z", "actor": "c-1", "action": "submitted", "detail": ""}],
        }

    def handle(self, route: Any) -> None:
        request = route.request
        cors = {
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Allow-Headers": "*",
            "Access-Control-Allow-Methods": "*",
        }
        if request.method == "OPTIONS":
            return route.fulfill(status=204, headers=cors)
        path = request.url.split("/review/submissions/s-test", 1)[1]
        status, body = 200, None
        if request.method == "GET" and path == "":
            body = self.item
        elif path == "/claim":
            self.item["claim"] = {"teacherId": self.teacher, "expiresAt": "2099-01-01T00:00:00Z"}
            self.item["state"] = "in_review"
            body = {"claim": self.item["claim"]}
        elif path == "/annotations" and request.method == "POST":
            note = json.loads(request.post_data)
            self.posted.append(note)
            text = PARAGRAPHS[note["paragraph"] - 1]
            clash = [
                a
                for a in self.item["annotations"]
                if a["paragraph"] == note["paragraph"] and a["start"] < note["end"] and note["start"] < a["end"]
            ]
            if clash:
                status, body = 400, {"error": {"code": "InvalidRequest", "message": "it overlaps another annotation"}}
            else:
                self.item["annotations"].append({**note, "quote": text[note["start"] : note["end"]]})
                status, body = 201, {"annotations": self.item["annotations"]}
        elif path.startswith("/annotations/") and request.method == "DELETE":
            del self.item["annotations"][int(path.rsplit("/", 1)[1])]
            body = {"annotations": self.item["annotations"]}
        else:
            status, body = 404, {"error": {"code": "NotFound", "message": "no such route in the stand-in"}}
        route.fulfill(status=status, headers=cors, content_type="application/json", body=json.dumps(body))


def signed_in_as(visit: Visit, token: str) -> None:
    """The site's token handler answering with `token` (the page reads it as the session's)."""
    web = visit.stack["webUrl"]
    visit.page.context.add_cookies([{"name": "essays_signed_in", "value": "1", "url": web}])
    # an hour ahead, as the handler says (a far date would overflow the page's renewal timer)
    answer = {"signedIn": True, "accessToken": token, "expiresAt": int(time.time()) + 3600, "email": "t@example.com"}
    visit.page.route(f"{web}/auth/token*", lambda route: route.fulfill(json=answer))


def char_box(visit: Visit, paragraph: int, index: int, side: str = "left") -> tuple[float, float]:
    """Where the character at UTF-16 `index` of the paragraph is on the screen (its left or right edge)."""
    box = visit.page.evaluate(
        """([paragraph, index]) => {
          const p = document.querySelector(`#essay-text [data-paragraph="${paragraph}"]`);
          const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
          let left = index;
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            if (left < node.length) {
              const range = document.createRange();
              range.setStart(node, left);
              range.setEnd(node, left + 1);
              const r = range.getBoundingClientRect();
              return { x: r.left, right: r.right, y: r.top + r.height / 2 };
            }
            left -= node.length;
          }
          return null;
        }""",
        [paragraph, index],
    )
    return (box["x"] + 1 if side == "left" else box["right"] - 1), box["y"]


def drag_select(visit: Visit, paragraph: int, start: int, end: int) -> None:
    """The mouse from the left of character `start` to the right of character `end - 1`."""
    mouse = visit.page.mouse
    mouse.move(*char_box(visit, paragraph, start, "left"))
    mouse.down()
    mouse.move(*char_box(visit, paragraph, end - 1, "right"), steps=5)
    mouse.up()


def test_a_passage_selected_with_the_mouse_or_the_keyboard_is_sent_as_the_api_anchors_it(visit: Visit) -> None:
    page = visit.page
    stand_in = ReviewStandIn("t-1")
    api = visit.stack["apiUrl"]
    page.route(lambda url: url.startswith(f"{api}/review/submissions/s-test"), stand_in.handle)
    signed_in_as(visit, fake_token("t-1", ["teachers"]))
    visit.goto("/review?submission=s-test")

    # Not claimed: the essay can be read, not marked.
    page.get_by_role("heading", name="Stalin's rise").wait_for()
    assert page.get_by_role("heading", name="Annotate a passage").count() == 0
    page.get_by_role("button", name="Claim it to review").click()
    page.get_by_text("You are reviewing this essay until").wait_for()
    essay = page.get_by_role("textbox", name=re.compile("^The essay"))
    assert essay.get_attribute("aria-readonly") == "true"

    # The mouse: "the Politburo" in paragraph 2, after the emoji (code points, not UTF-16 units).
    second = PARAGRAPHS[1]
    start = second.index("the Politburo")
    units = len(second[:start].encode("utf-16-le")) // 2
    drag_select(visit, 2, units, units + len("the Politburo"))
    page.get_by_text("Selected in paragraph 2: “the Politburo”").wait_for()
    page.get_by_role("radio", name="To improve").check()
    page.get_by_label("Comment", exact=True).fill("Which members? Name them.")
    page.get_by_role("button", name="Add the annotation").click()
    page.get_by_text("Annotation added.").wait_for()
    assert stand_in.posted[-1] == {
        "paragraph": 2,
        "start": start,
        "end": start + len("the Politburo"),
        "kind": "improvement",
        "comment": "Which members? Name them.",
    }
    assert page.locator("#essay-text mark.improvement").inner_text() == "the Politburo"

    # The keyboard: a caret before "neither" in paragraph 1, then Shift and the arrows; the text
    # cannot be changed by typing.
    first = PARAGRAPHS[0]
    page.mouse.click(*char_box(visit, 1, first.index("neither"), "left"))
    page.keyboard.press("x")
    for _ in range(len("neither sudden")):
        page.keyboard.press("Shift+ArrowRight")
    page.get_by_text("Selected in paragraph 1: “neither sudden”").wait_for()
    page.get_by_label("Comment", exact=True).fill("A clear thesis.")
    page.get_by_role("button", name="Add the annotation").click()
    page.get_by_text("Annotation added.").wait_for()
    assert stand_in.posted[-1]["paragraph"] == 1
    assert first[stand_in.posted[-1]["start"] : stand_in.posted[-1]["end"]] == "neither sudden"
    assert page.locator("#essay-text [data-paragraph='1']").inner_text() == first

    # Overlapping an annotation: refused on the page, nothing sent.
    sent = len(stand_in.posted)
    drag_select(visit, 1, first.index("sudden"), first.index("sudden") + len("sudden nor"))
    page.get_by_text("This passage overlaps annotation 2").wait_for()
    page.get_by_label("Comment", exact=True).fill("Again?")
    page.get_by_role("button", name="Add the annotation").click()
    page.get_by_text("That passage overlaps annotation 2").wait_for()
    assert len(stand_in.posted) == sent
    # Across two paragraphs: refused too.
    page.mouse.move(*char_box(visit, 1, 2))
    page.mouse.down()
    page.mouse.move(*char_box(visit, 3, 4), steps=5)
    page.mouse.up()
    page.get_by_text("Select a passage inside one paragraph").wait_for()

    # The list: two annotations, numbered as in the essay; deleting one.
    items = page.locator(".annotations li")
    assert items.count() == 2
    page.get_by_role("button", name="Delete annotation 1").click()
    page.get_by_text("Annotation 1 deleted.").wait_for()
    assert page.locator(".annotations li").count() == 1
    assert page.locator("#essay-text mark").inner_text() == "neither sudden"
    assert visit.accessibility_violations() == []
    assert visit.problems() == []


def test_the_pages_ask_visitors_to_sign_in_and_tell_readers_review_is_for_teachers(visit: Visit) -> None:
    page = visit.page
    for path, heading in (("/submit", "Submit your essay"), ("/submissions", "My submissions"), ("/review", "Review")):
        visit.goto(path)
        page.get_by_role("heading", name=heading, exact=True).wait_for()
        assert page.locator("main").get_by_role("button", name="Sign in").is_visible()
        assert page.locator('meta[name="robots"][content="noindex"]').count() == 1
        assert visit.accessibility_violations() == []
    # A signed-in reader who is not a teacher: the API's 403, told plainly.
    visit.page.route(
        lambda url: url.startswith(f"{visit.stack['apiUrl']}/review/"),
        lambda route: route.fulfill(
            status=403,
            headers={"Access-Control-Allow-Origin": "*"},
            json={"error": {"code": "Forbidden", "message": "teachers only"}},
        ),
    )
    signed_in_as(visit, fake_token("r-1", []))
    visit.goto("/review")
    page.get_by_role("heading", name="This page is for teachers").wait_for()
    assert visit.accessibility_violations() == []
    assert visit.problems(expected_statuses=(403,)) == []
