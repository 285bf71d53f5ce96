"""The diagram of a post with 12 direct reports, measured in Chromium: the reports stand 4 × 3 and the
drawing fills most of the width of the diagram's frame, where they stood 2 × 6 in a fifth of it."""

import pytest

from positions.models import Position
from tests.conftest import PASSWORD
from tests.factories import PositionFactory
from tests.functional.test_accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MANAGER = "DPT-YW-N02"  # 增值业务部经理: no reports in the seed

# The frame's inner width, the drawing's width, and the reports' columns and rows as drawn on screen.
MEASURE = """code => {
    const frame = document.querySelector('.diagram-wrap');
    const svg = frame.querySelector('svg.diagram');
    const reports = [...svg.querySelectorAll('g.box')].filter(g => g.dataset.code !== code)
        .map(g => g.querySelector('.frame').getBoundingClientRect());
    const left = Math.min(...reports.map(r => r.left)), right = Math.max(...reports.map(r => r.right));
    return {
        frame: frame.clientWidth,
        drawing: svg.getBoundingClientRect().width,
        reports: right - left,
        columns: new Set(reports.map(r => Math.round(r.left))).size,
        rows: new Set(reports.map(r => Math.round(r.top))).size,
    };
}"""


@pytest.fixture
def twelve_reports(seed, viewer_user):
    manager = Position.objects.get(code=MANAGER)
    for n in range(1, 13):
        PositionFactory(code=f"{MANAGER}-{n:02d}", title=f"增值业务专员{n}", parent=Position.objects.get(pk=manager.pk))


def test_twelve_reports_use_the_width_of_the_diagram(page, live_server, twelve_reports, viewer_user):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/accounts/login/?next=/org/{MANAGER}/diagram/")
    page.fill("#id_username", viewer_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("section.login button[type=submit]")
    page.wait_for_url(f"{live_server.url}/org/{MANAGER}/diagram/")

    measured = page.evaluate(MEASURE, MANAGER)

    assert (measured["columns"], measured["rows"]) == (4, 3), measured
    assert measured["reports"] / measured["frame"] > 0.6, measured  # 2 × 6 took 0.35 of this frame
    assert measured["drawing"] <= measured["frame"]  # and still no sideways scrolling
    assert_accessible(page)
