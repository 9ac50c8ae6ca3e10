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
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import Visit, api_get

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
    api = visit.stack["siteApiUrl"]  # the site calls the API on its own origin
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
    assert visit.fits(390)
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
        lambda url: url.startswith(f"{visit.stack['siteApiUrl']}/review/"),
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


@pytest.fixture(scope="module")
def warm(stack: dict[str, Any]) -> None:
    """The contributors' and teachers' functions started once (a first start on a busy machine can
    outlast the page's timeouts, which are for a hung API, not a cold one)."""
    from tests.e2e.test_payments import request

    request(stack["apiUrl"] + "/me/submissions", token=stack["subscriberToken"])
    request(stack["apiUrl"] + "/review/queue", token=stack.get("teacherToken") or stack["subscriberToken"])


# ---- the whole path, against the local stack ------------------------------------------------------

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LEVEL, SUBJECT, SECTION = "AS and A Level", "History", "Modern European History, 1789-1945"
TOPICS = [
    "the Weimar constitution",
    "hyperinflation",
    "the Dawes Plan",
    "the Depression",
    "Hindenburg",
    "the Reichstag fire",
]


def essay_text(word: str) -> list[str]:
    """About 900 words in eighteen paragraphs, its sentences distinct (for the extracts)."""
    paragraphs = []
    for n in range(18):
        topic = TOPICS[n % len(TOPICS)]
        paragraphs.append(
            " ".join(
                f"Point {n + 1}.{s + 1}: historians of {word} weigh {topic} against the other causes, and "
                f"the sources from {1919 + n} suggest a different emphasis in each decade."
                for s in range(2)
            )
        )
    return paragraphs


def unique_word() -> str:
    """A made-up word no essay title has (search is by words of titles)."""
    return "zy" + "".join("bcdfghjklmnpqrstvwxz"[int(c, 16) % 20] for c in uuid.uuid4().hex[:8])


def teacher_signs_in(visit: Visit) -> None:
    """The local teacher of `make dev`: through managed login when its password is in stack.json, else
    with its token as the token handler would hand it out; a stack without one gets a new teacher (a
    user of the pool in its `teachers` group), signed in through managed login."""
    stack = visit.stack
    if stack.get("teacherEmail") and stack.get("teacherPassword"):
        visit.sign_in(stack["teacherEmail"], stack["teacherPassword"])
    elif stack.get("teacherToken"):
        signed_in_as(visit, stack["teacherToken"])
        visit.page.reload()
        visit.page.wait_for_load_state("networkidle")
    else:
        from essays_cli.devserver import sign_in

        from tests.e2e.test_payments import cognito

        email, password = f"teacher-{uuid.uuid4().hex[:10]}@example.com", "Local-teacher-2026"
        pool = cognito(stack)
        sign_in(pool, stack["userPoolId"], stack["userPoolClientId"], email, password)
        pool.admin_add_user_to_group(UserPoolId=stack["userPoolId"], Username=email, GroupName="teachers")
        visit.sign_in(email, password)


def submit_a_docx(
    visit: Visit, title: str, paragraphs: list[str], before_sending: Callable[[], None] = lambda: None
) -> None:
    """On /submit, signed in: nothing filled in, then a file that is no Word document (both refused by
    the fields), then the essay."""
    from tests.documents import essay_docx

    page = visit.page
    # Nothing filled in: each field says what it needs, in a summary that links to them.
    page.get_by_role("button", name="Submit the essay").click()
    summary = page.get_by_role("alert")
    summary.get_by_role("link", name="Enter the essay's title.").wait_for()
    assert summary.get_by_role("link").count() == 4  # title, level, file, declaration
    assert page.locator("#title").get_attribute("aria-invalid") == "true"
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Level", exact=True).select_option(LEVEL)
    page.get_by_label("Subject", exact=True).select_option(SUBJECT)
    page.get_by_label("Section", exact=True).select_option(SECTION)
    page.get_by_role("radio", name="Show my name on it").check()
    page.get_by_label("The name to show").fill("Sam P.")
    page.get_by_label("This essay is my own work").check()
    page.set_input_files(
        "#file", files=[{"name": "essay.docx", "mimeType": DOCX_TYPE, "buffer": b"plain text, not Word"}]
    )
    page.get_by_role("button", name="Submit the essay").click()
    page.locator("#file-error").filter(has_text=re.compile(".")).wait_for(timeout=40_000)
    assert page.get_by_role("alert").get_by_role("heading", name="Your essay was not sent").is_visible()
    assert page.locator("#file").get_attribute("aria-invalid") == "true"
    assert visit.accessibility_violations() == []

    document = essay_docx(paragraphs)
    page.set_input_files("#file", files=[{"name": "my essay.docx", "mimeType": DOCX_TYPE, "buffer": document}])
    before_sending()
    page.get_by_role("button", name="Submit the essay").click()
    page.wait_for_url("**/submissions", timeout=40_000)


def annotate(visit: Visit, paragraph: int, quote: str, kind: str, comment: str) -> None:
    page = visit.page
    text = page.locator(f"#essay-text [data-paragraph='{paragraph}']").inner_text()
    start = text.index(quote)
    drag_select(visit, paragraph, start, start + len(quote))
    page.get_by_text(f"Selected in paragraph {paragraph}: “{quote}”").wait_for()
    page.get_by_role("radio", name=kind).check()
    page.get_by_label("Comment", exact=True).fill(comment)
    page.get_by_role("button", name="Add the annotation").click()
    page.get_by_text("Annotation added.").wait_for()


def review_and_publish(visit: Visit, title: str, before_publishing: Callable[[], None] = lambda: None) -> str:
    """A teacher, on /review: claims the essay, annotates two passages, rates it and publishes it."""
    page = visit.page
    page.get_by_role("heading", name="Review queue").wait_for()
    row = page.locator("table.queue tr", has_text=title)
    row.get_by_role("link", name=title).click()
    page.get_by_role("heading", name=title).wait_for()
    page.get_by_role("button", name="Claim it to review").click()
    page.get_by_text("You are reviewing this essay until").wait_for()
    annotate(visit, 1, "weigh the Weimar constitution", "Strength", "A clear line of argument from the start.")
    annotate(visit, 3, "a different emphasis in each decade", "To improve", "Which historians? Name two.")
    assert page.locator("#essay-text mark").count() == 2
    history = page.locator(".history").inner_text()
    assert re.search(r"You claimed it \(until \d\d:\d\d\)", history), history
    assert history.count("You annotated a passage") == 2
    page.get_by_label("4 stars").check()
    page.get_by_label("Teacher's comment").fill("A well-organised essay; support the historiography with names.")
    before_publishing()
    page.get_by_role("button", name="Publish", exact=True).click()
    page.get_by_role("heading", name="Published").wait_for(timeout=40_000)
    href = page.get_by_role("link", name="See it on the site").get_attribute("href")
    assert href and href.startswith("/essays/")
    return href.removeprefix("/essays/")


def test_a_reader_submits_a_docx_a_teacher_publishes_it_and_the_writer_earns_free_essays(
    visit: Visit, stack: dict[str, Any], warm: None
) -> None:
    page = visit.page
    word = unique_word()
    title = f"How far did {word} shape the Weimar Republic"
    paragraphs = essay_text(word)

    # The reader: signs up on /submit, sends a .docx, sees it submitted.
    visit.goto("/submit")
    email = visit.sign_up()
    submit_a_docx(visit, title, paragraphs)
    page.get_by_text(f"Thank you: “{title}” is submitted.").wait_for()
    mine = page.locator("li.submission", has_text=title)
    assert mine.locator(".state").inner_text() == "Submitted"
    assert mine.get_by_role("button", name=f"Withdraw {title}").is_visible()
    assert visit.accessibility_violations() == []

    # The teacher: claims it, annotates two passages, rates and publishes it.
    page.context.clear_cookies()
    visit.goto("/review")
    teacher_signs_in(visit)
    essay_id = review_and_publish(visit, title)

    # In search (by a word of its title) within seconds, with a preview by the rules.
    found: list[str] = []
    for _ in range(40):
        found = [e["essayId"] for e in api_get(stack, f"/search?q={word}")["results"]]
        if essay_id in found:
            break
        time.sleep(0.5)
    assert essay_id in found
    preview = api_get(stack, f"/essays/{essay_id}/preview")
    assert [e["part"] for e in preview["extracts"]] == ["Introduction", "Middle", "Conclusion"]
    assert all(e["readMore"] is True for e in preview["extracts"])  # the page adds "...read more"
    shown = sum(len(e["text"].split()) for e in preview["extracts"])
    assert 0 < shown <= 0.3 * preview["wordCount"], (shown, preview["wordCount"])
    assert preview["rating"] == 4
    page.context.clear_cookies()
    visit.goto(f"/search?q={word}")
    page.get_by_role("link", name=title).click()
    page.wait_for_url(f"**/essays/{essay_id}")
    assert page.locator(".extract").count() == 3
    assert page.locator(".extract .read-more").all_inner_texts() == ["...read more"] * 3

    # The writer: published, a link to it, the free essays earned.
    visit.goto("/submissions")
    visit.sign_in(email, "Local-reader-2026")
    mine = page.locator("li.submission", has_text=title)
    assert mine.locator(".state").inner_text() == "Published"
    assert mine.get_by_role("link", name="read it on the site").get_attribute("href") == f"/essays/{essay_id}"
    assert re.search(r"You earned \d+ free essays? to read\.", mine.inner_text())
    assert mine.get_by_role("button", name=re.compile("^Withdraw")).count() == 0
    assert "null" not in mine.inner_text() and "Credited to Sam P." in mine.inner_text()
    assert visit.accessibility_violations() == []
    assert visit.problems(expected_statuses=(400,)) == []


def test_a_teacher_returns_one_essay_with_feedback_and_rejects_another_and_the_writer_reads_why(
    visit: Visit, stack: dict[str, Any], warm: None
) -> None:
    from tests.e2e.test_payments import new_reader, request

    page = visit.page
    word = unique_word()
    returned, rejected = f"Why did {word} divide the Reichstag", f"Was {word} the end of Weimar"
    # The writer's two essays, sent as pasted text through the API (the page's own sending is tested above).
    _, token, _ = new_reader(stack)
    for title in (returned, rejected):
        body = {"title": title, "level": LEVEL, "subject": SUBJECT, "section": SECTION, "ownWork": True}
        body["body"] = "\n\n".join(essay_text(word)[:6])
        status, sent = request(stack["apiUrl"] + "/me/submissions", "POST", token, json.dumps(body).encode())
        assert status == 201, sent

    # The teacher: claims the first and returns it with feedback, then claims the second and rejects it.
    visit.goto("/review")
    teacher_signs_in(visit)
    feedback = "Your paragraphs list causes: weigh them against each other, then submit it again."
    reason = "It repeats the same two sentences in every paragraph; the library needs an argument."
    decisions = [
        (
            returned,
            "Feedback for the writer (what to improve)",
            feedback,
            "Return with feedback",
            "feedback for the writer",
        ),
        (rejected, "Why it cannot be published", reason, "Reject", "reason for rejecting it"),
    ]
    for title, field, text, button, missing in decisions:
        visit.goto("/review")
        page.locator("table.queue tr", has_text=title).get_by_role("link", name=title).click()
        page.get_by_role("heading", name=title).wait_for()
        page.get_by_role("button", name="Claim it to review").click()
        page.get_by_text("You are reviewing this essay until").wait_for()
        page.get_by_role("button", name=button, exact=True).click()  # nothing written yet: refused on the page
        page.get_by_text(f"Write the {missing} first.").wait_for()
        page.get_by_label(field).fill(text)
        page.get_by_role("button", name=button, exact=True).click()
        done = "returned to its writer" if title == returned else "rejected"
        page.get_by_text(f"Done: the essay is {done}.").wait_for(timeout=40_000)
        assert page.get_by_role("button", name="Publish", exact=True).count() == 0
        assert text in page.locator(".outcome").inner_text()
        assert visit.accessibility_violations() == []
    visit.goto("/review")
    assert page.locator("table.queue tr", has_text=word).count() == 0  # neither is waiting any more

    # The writer, on /submissions: one returned with the feedback (still withdrawable), one not accepted.
    page.unroute(f"{stack['webUrl']}/auth/token*")
    page.context.clear_cookies()
    signed_in_as(visit, token)
    visit.goto("/submissions")
    back = page.locator("li.submission", has_text=returned)
    back.wait_for()
    assert back.locator(".state").inner_text() == "Returned with feedback"
    assert back.locator("blockquote.feedback").inner_text() == feedback
    assert back.get_by_role("button", name=f"Withdraw {returned}").is_visible()
    refused = page.locator("li.submission", has_text=rejected)
    assert refused.locator(".state").inner_text() == "Not accepted"
    assert refused.locator("blockquote.feedback").inner_text() == reason
    assert refused.get_by_role("button", name=re.compile("^Withdraw")).count() == 0
    assert visit.accessibility_violations() == []
    assert visit.problems() == []
