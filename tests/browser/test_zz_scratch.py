from tests.browser.conftest import Visit
from tests.browser.test_contributions import ReviewStandIn, signed_in_as, fake_token, drag_select, PARAGRAPHS
import pytest
pytestmark = pytest.mark.browser

def test_shots(visit: Visit) -> None:
    page = visit.page
    s = ReviewStandIn("t-1")
    api = visit.stack["apiUrl"]
    page.route(lambda url: url.startswith(f"{api}/review/submissions/s-test"), s.handle)
    signed_in_as(visit, fake_token("t-1", ["teachers"]))
    visit.goto("/review?submission=s-test")
    page.get_by_role("button", name="Claim it to review").click()
    page.get_by_text("You are reviewing").wait_for()
    drag_select(visit, 1, 9, 20)
    page.get_by_label("Comment", exact=True).fill("Good")
    page.get_by_role("button", name="Add the annotation").click()
    page.get_by_text("Annotation added.").wait_for()
    drag_select(visit, 3, 3, 10)
    page.screenshot(path="/tmp/review.png", full_page=True)
    visit.goto("/submit")
    page.screenshot(path="/tmp/submit-out.png", full_page=True)
