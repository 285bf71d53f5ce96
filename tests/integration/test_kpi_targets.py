"""KPI targets (目标与计分) through every place a KPI row goes: the editor (folded under each row, refused at
the field, nothing saved), the API (PATCH with If-Match, 400 at kpis[n].field), the card, the history's
readable diff, as-of views and restores of versions saved before KPIs had targets."""

import json
import re
from html import unescape

import pytest
from django.utils import timezone

from assessments.models import KPI
from positions import history
from positions.models import Position
from positions.services.editing import restore_version
from tests.helpers import document_of, signed_in, snapshot
from tests.integration.test_editor import fill, form_of, summary_of

REP = "DPT-YW-03"  # 客户服务代表: published and complete, KPIs 40/30/20/10
EDIT = f"/positions/{REP}/edit/"
CARD = f"/positions/{REP}/"
API = f"/api/positions/{REP}/"
LINEAR = {"metric": "客户满意度", "unit": "%", "direction": "higher", "target": "95", "floor": "80", "rule": "linear"}

# (what is typed into the first KPI's target fields, the field refused, English words, Chinese words)
BAD = [
    ({"rule": "linear", "target": "95", "direction": "higher"}, "floor", "needs a floor", "门槛值"),
    ({"rule": "linear", "target": "95", "floor": "80"}, "direction", "needs a direction", "需要方向"),
    ({"rule": "threshold", "direction": "higher"}, "target", "needs a target value", "需要目标值"),
    ({**LINEAR, "floor": "96"}, "floor", "below the target (95)", "低于目标值"),
    ({**LINEAR, "floor": "95"}, "floor", "below the target (95)", "低于目标值"),
    ({"unit": "%"}, "unit", "A unit needs a target value", "填了单位就需要目标值"),
    ({"floor": "3"}, "floor", "needs a target value", "填了门槛值就需要目标值"),
    ({"rule": "deduction", "unit": "次"}, "points", "needs the points", "扣分制需要每次扣分"),
    ({"points": "5"}, "points", "Only the deduction rule", "只有扣分制"),
    ({"target": "九十五"}, "target", "is not a number", "不是数字"),
]


def first_kpi_id():
    return KPI.objects.filter(position__code=REP).order_by("order").values_list("pk", flat=True).first()


def stored_targets(code=REP):
    fields = ("metric", "unit", "direction", "target", "floor", "rule", "points")
    return list(KPI.objects.filter(position__code=code).order_by("order").values_list(*fields))


def text_of(html):
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


# ---------------------------------------------------------------------------------------------------
# The editor


def test_the_editor_folds_each_kpis_target_fields_under_it_with_a_label_on_every_field(hr_user, seed):
    html = signed_in(hr_user, "zh-hans").get(EDIT).content.decode()
    section = html[html.index('id="section-kpis"') :]
    assert section.count('<details class="cell-folded">') >= 4  # closed: nothing set yet
    assert "<summary>目标与计分" in section
    for name in ("metric", "unit", "direction", "target", "floor", "rule", "points"):
        field_id = f"id_kpis-0-{name}"
        assert f'id="{field_id}"' in section and f'<label for="{field_id}">' in section


@pytest.mark.parametrize(("typed", "field", "english", "chinese"), BAD)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_bad_target_is_refused_at_its_field_and_nothing_is_saved(
    hr_user, seed, typed, field, english, chinese, language
):
    client = signed_in(hr_user, language)
    data = form_of(client.get(EDIT))
    fill(data, "kpis", 0, **typed)
    before = snapshot()
    response = client.post(EDIT, data)
    assert response.status_code == 200
    assert snapshot() == before
    html = response.content.decode()
    words = english if language == "en" else chinese
    # At the field: its own message, and the summary's line that leads there.
    error = re.search(rf'id="id_kpis-0-{field}_error">(.*?)</span>', html, re.S)
    assert error and words in unescape(error.group(1)), html[html.index('id="section-kpis"') :][:3000]
    assert any(link == f"id_kpis-0-{field}" and words in text for text, link in summary_of(response)[1:])
    # The row's target fields are drawn open, as typed.
    row = html[html.index('id="id_kpis-0-responsibility"') :]
    assert row.index('<details class="cell-folded" open>') < row.index('id="id_kpis-1-responsibility"')


def test_a_valid_target_saves_and_the_card_and_the_editor_show_it(hr_user, seed):
    client = signed_in(hr_user, "zh-hans")
    data = form_of(client.get(EDIT))
    fill(data, "kpis", 0, **{**LINEAR, "target": "95.5"})
    assert client.post(EDIT, data).status_code == 302
    assert stored_targets()[0] == ("客户满意度", "%", "higher", 95.5, 80, "linear", None)
    assert {k: document_of(REP)["kpis"][0][k] for k in LINEAR} == {**LINEAR, "target": 95.5, "floor": 80}
    card = text_of(client.get(CARD).content.decode())
    assert "目标：客户满意度 ≥ 95.5 %（门槛值 80 %，线性计分）" in card
    html = client.get(EDIT).content.decode()
    assert '<details class="cell-folded" open>' in html and "目标与计分<span" in html
    again = form_of(client.get(EDIT))
    assert {k: again[f"kpis-0-{k}"] for k in LINEAR} == {**LINEAR, "target": "95.5"}
    assert client.post(EDIT, again).status_code == 302
    assert Position.objects.get(code=REP).version == document_of(REP)["version"]  # saved as read: no change


def test_the_card_says_nothing_of_targets_where_none_is_set(viewer_client, seed):
    html = viewer_client.get(CARD).content.decode()
    assert "kpi-target" not in html


def test_the_card_shows_a_deduction_in_english(hr_user, seed):
    data = document_of(REP)["kpis"]
    data[1] |= {"metric": "客户有效投诉", "unit": "次", "rule": "deduction", "points": 10}
    client = signed_in(hr_user, "en")
    response = client.patch(API, json.dumps({"kpis": data}), content_type="application/json", HTTP_IF_MATCH="*")
    assert response.status_code == 200, response.json()
    assert "Target: 客户有效投诉 (deduction, 10 points per occurrence)" in text_of(client.get(CARD).content.decode())


# ---------------------------------------------------------------------------------------------------
# The API


def patch_kpis(client, kpis, etag):
    return client.patch(API, json.dumps({"kpis": kpis}), content_type="application/json", HTTP_IF_MATCH=etag)


@pytest.mark.parametrize(("typed", "field", "english", "chinese"), BAD)
def test_the_api_refuses_a_bad_target_with_400_at_kpis_n_field(hr_user, seed, typed, field, english, chinese):
    client = signed_in(hr_user, "en")
    etag = client.get(API)["ETag"]
    kpis = document_of(REP)["kpis"]
    kpis[2] |= typed
    before = snapshot()
    response = patch_kpis(client, kpis, etag)
    assert response.status_code == 400
    errors = response.json()["kpis"]
    assert errors[:2] == [{}, {}] and list(errors[2]) == [field] and english in errors[2][field][0]
    assert snapshot() == before
    chinese_answer = patch_kpis(signed_in(hr_user, "zh-hans"), kpis, etag).json()
    assert chinese in chinese_answer["kpis"][2][field][0]


def test_the_api_saves_targets_and_gives_them_back_as_numbers(hr_user, seed):
    client = signed_in(hr_user, "en")
    kpis = document_of(REP)["kpis"]
    kpis[0] |= {"metric": "系统可用率", "unit": "%", "direction": "≥", "target": "99.95", "floor": 99, "rule": "线性"}
    kpis[1] |= {"metric": "重大差错", "unit": "次", "direction": "lower", "target": 0, "rule": "threshold"}
    kpis[3] |= {"metric": "差错", "unit": "次", "rule": "deduction", "points": 2.5}
    response = patch_kpis(client, kpis, client.get(API)["ETag"])
    assert response.status_code == 200, response.json()
    got = client.get(API).json()["kpis"]
    assert {k: got[0][k] for k in LINEAR} == {
        "metric": "系统可用率", "unit": "%", "direction": "higher", "target": 99.95, "floor": 99, "rule": "linear",
    }  # fmt: skip
    assert got[0]["points"] is None and got[2]["rule"] == "direct" and got[2]["target"] is None
    assert (got[1]["target"], got[1]["rule"], got[3]["points"], got[3]["target"]) == (0, "threshold", 2.5, None)
    # What the API gives, sent back, changes nothing.
    etag = client.get(API)["ETag"]
    again = patch_kpis(client, got, etag)
    assert again.status_code == 200 and again["ETag"] == etag


def test_the_openapi_description_names_every_target_field(viewer_client, seed):
    spec = viewer_client.get("/api/openapi.json").json()["components"]["schemas"]
    kpi = next(
        schema
        for name, schema in spec.items()
        if name.startswith("KPI") and "responsibility" in schema.get("properties", {})
    )
    assert {"metric", "unit", "direction", "target", "floor", "rule", "points"} <= set(kpi["properties"])
    assert set(viewer_client.get(API).json()["kpis"][0]) == set(kpi["properties"])


# ---------------------------------------------------------------------------------------------------
# History


def set_first_target(hr_user, language="en", **values):
    client = signed_in(hr_user, language)
    kpis = document_of(REP)["kpis"]
    kpis[0] |= values
    response = patch_kpis(client, kpis, client.get(API)["ETag"])
    assert response.status_code == 200, response.json()


def test_the_history_diff_shows_a_target_change_in_the_readers_language(hr_user, seed):
    set_first_target(hr_user, **LINEAR)
    set_first_target(hr_user, target=98)
    client = signed_in(hr_user, "zh-hans")
    html = client.get(f"/positions/{REP}/history/").content.decode()
    assert "目标与计分" in html
    # The target's line, its changed characters marked: 95 became 98.
    assert "客户满意度 ≥ 9<del>5</del><ins>8</ins> %（门槛值 80 %，线性计分）" in html
    first = text_of(
        client.get(f"/positions/{REP}/history/", {"b": history.versions_of(REP)[1].history_id}).content.decode()
    )
    assert "客户满意度 ≥ 95 %（门槛值 80 %，线性计分）" in first  # the version that set it: — before, the line after
    english = text_of(signed_in(hr_user, "en").get(f"/positions/{REP}/history/").content.decode())
    assert "target and scoring (目标与计分)" in english and "(floor 80 %, scored linearly)" in english


def strip_targets(version):
    """The version as it was stored before KPIs had targets: its KPI rows without the keys."""
    document = dict(version.document)
    document["kpis"] = [
        {k: v for k, v in row.items() if k in ("responsibility", "weight", "standard", "cycle")}
        for row in document["kpis"]
    ]
    type(version).objects.filter(pk=version.pk).update(document=document)


def test_versions_saved_before_targets_read_as_none_in_diffs_as_of_views_and_restores(hr_user, seed):
    for version in Position.history.filter(code=REP):
        strip_targets(version)
    old = Position.history.filter(code=REP).order_by("-history_date").first()
    at = timezone.localtime(old.history_date).isoformat()
    client = signed_in(hr_user, "en")
    response = client.patch(API, json.dumps({"purpose": "不同"}), content_type="application/json", HTTP_IF_MATCH="*")
    assert response.status_code == 200
    # The first version after the old ones names only what changed, not every KPI's missing keys.
    assert history.versions_of(REP).first().changed == "purpose"
    set_first_target(hr_user, **LINEAR)
    newest = history.versions_of(REP).first()
    assert newest.changed == "kpis"
    page = client.get(f"/positions/{REP}/history/", {"a": old.history_id, "b": newest.history_id})
    assert page.status_code == 200
    changes = text_of(page.content.decode())
    assert "客户满意度 ≥ 95 % (floor 80 %, scored linearly)" in changes
    assert "row 1 changed" in changes and "row 2 changed" not in changes  # one KPI changed, not four
    # As of then: the card and the API show the KPIs without targets, scored directly.
    assert client.get(CARD, {"as_of": at}).status_code == 200
    then = client.get(API, {"as_of": at}).json()["kpis"]
    assert all(row["rule"] == "direct" and row["target"] is None and row["metric"] == "" for row in then)
    # Restoring it clears the target (the old version had none).
    restore_version(REP, old.history_id)
    assert stored_targets()[0] == ("", "", "", None, None, "direct", None)


def test_a_restore_brings_back_a_target(hr_user, seed):
    set_first_target(hr_user, **LINEAR)
    with_target = history.versions_of(REP).first()
    set_first_target(hr_user, metric="", unit="", direction="", target="", floor="", rule="direct")
    assert stored_targets()[0] == ("", "", "", None, None, "direct", None)
    restore_version(REP, with_target.history_id)
    assert stored_targets()[0] == ("客户满意度", "%", "higher", 95, 80, "linear", None)
