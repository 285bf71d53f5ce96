"""The diagram page's PDF link prints what the screen shows: the depth on screen, and the instant of an
as-of diagram; a second link prints every level. Each link's PDF is read back with poppler."""

import subprocess

import pytest

from tests.integration.test_diagram_pages import TITLES, links, page_of, query_of

pytestmark = pytest.mark.django_db


def downloads(client, path, **params):
    """{link text: href} of the diagram page's downloads."""
    return dict((text, href) for href, text in links(page_of(client.get(path, params)), "downloads"))


def pdf_text(client, href, tmp_path):
    response = client.get(href)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "chart.pdf"
    path.write_bytes(response.content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_the_pdf_link_carries_the_depth_on_screen(viewer_client, seed, depth):
    found = downloads(viewer_client, "/org/DPT-YW-04/diagram/", depth=depth)

    shown = next(href for text, href in found.items() if text.startswith("PDF（当前显示"))
    assert query_of(shown) == {"depth": [str(depth)]}
    assert f"PDF（当前显示的 {depth} 层）" in found
    assert found["PDF（全部层级，按需分页）"] == "/org/DPT-YW-04/diagram.pdf"


def test_the_pdf_link_of_the_default_depth_says_so_too(viewer_client, seed):
    found = downloads(viewer_client, "/org/diagram/")

    assert found["PDF（当前显示的 3 层）"] == "/org/diagram.pdf?depth=3"


def test_the_pdf_link_of_a_past_diagram_keeps_its_instant_and_depth(hr_client, seed):
    html = page_of(hr_client.get("/org/DPT-YW-04/diagram/", {"depth": 2, "as_of": "2099-01-01"}))
    found = {text: href for href, text in links(html, "downloads")}
    (whole, _), *_rest = links(html, "crumbs")  # the page's own links keep the instant it shows

    shown = found["PDF（当前显示的 2 层）"]
    assert query_of(shown)["depth"] == ["2"]
    assert query_of(shown)["as_of"] == query_of(whole)["as_of"] == query_of(found["PDF（全部层级，按需分页）"])["as_of"]


def test_the_pdf_of_the_levels_shown_holds_those_levels_and_no_more(viewer_client, seed, pdf_tools, tmp_path):
    found = downloads(viewer_client, "/org/DPT-YW-04/diagram/", depth=2)

    shown = pdf_text(viewer_client, found["PDF（当前显示的 2 层）"], tmp_path)
    every = pdf_text(viewer_client, found["PDF（全部层级，按需分页）"], tmp_path)

    for code in ("DPT-YW-04", "DPT-YW-05", "DPT-YW-N04"):  # the two levels on screen
        assert TITLES[code] in shown
    assert "+3" in shown  # the deputy's three reports, counted as on screen
    for code in ("DPT-YW-N05", "DPT-YW-N06", "DPT-YW-N07"):
        assert TITLES[code] not in shown and TITLES[code] in every
