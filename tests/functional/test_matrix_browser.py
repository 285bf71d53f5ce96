"""The job architecture matrix of a synthetic organisation (管理类 M1–M5, 技术类/营销类/职能类 P1–P10, 操作类
O1–O5) in Chromium: the first screen shows positions, not a wall of shaded cells, and axe finds nothing
serious."""

import pytest
from django.core.management import call_command

from tests.conftest import PASSWORD
from tests.functional.test_accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What of the page's cells lie in the first screen: filled and shaded ones, and the grades heading them.
FIRST_SCREEN = """() => {
    const seen = el => { const r = el.getBoundingClientRect();
                         return r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth; };
    const cells = [...document.querySelectorAll('table.matrix td.cell')].filter(seen);
    return {
        filled: cells.filter(c => c.classList.contains('filled')).length,
        shaded: cells.filter(c => c.classList.contains('not-applicable')).length,
        grades: [...document.querySelectorAll('table.matrix th.grade')].filter(seen)
                    .map(th => th.firstChild.textContent.trim()),
    };
}"""


@pytest.fixture
def synthetic(db, viewer_user):
    call_command("synth_org", positions=150, seed=3, verbosity=0)


def test_the_first_screen_of_the_matrix_shows_positions_of_one_ladder(page, live_server, synthetic, viewer_user):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/accounts/login/?next=/architecture/")
    page.fill("#id_username", viewer_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("section.login button[type=submit]")
    page.wait_for_url(f"{live_server.url}/architecture/")

    first = page.evaluate(FIRST_SCREEN)

    assert first["filled"] >= 3, first
    assert first["shaded"] == 0, first
    ladders = {grade[4] for grade in first["grades"] if grade.startswith("SYN-")}  # SYN-M1 -> M
    assert ladders == {"M"}, first["grades"]  # one ladder's grades, not O1, P1, O2… interleaved
    titles = [text.split("（")[0].strip() for text in page.locator("section.ladder h2").all_inner_texts()]
    assert titles[:3] == ["管理类", "技术类、营销类、职能类", "操作类"]
    assert_accessible(page)
