"""The Django admin covers every model, and only staff may enter it."""

import pytest

ADMIN_PAGES = [
    "/admin/positions/position/",
    "/admin/positions/position/add/",
    "/admin/positions/descriptionitem/",
    "/admin/positions/person/",
    "/admin/positions/person/add/",
    "/admin/positions/assignment/",
    "/admin/positions/jdtemplate/",
    "/admin/org_tree/department/",
    "/admin/org_tree/jobcategory/",
    "/admin/org_tree/jobfamily/",
    "/admin/org_tree/grade/",
    "/admin/assessments/kpi/",
]


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_every_model_has_an_admin_page(client, seed, admin_user, url):
    client.force_login(admin_user)
    assert client.get(url).status_code == 200


def test_the_position_admin_shows_the_tree_indented(client, seed, admin_user):
    client.force_login(admin_user)
    html = client.get("/admin/positions/position/").content.decode()
    assert "padding-left" in html  # MPTTModelAdmin indents each level


def test_the_position_change_form_has_its_rows_inline(client, seed, admin_user):
    from positions.models import Position

    client.force_login(admin_user)
    pk = Position.objects.get(code="DPT-YW-03").pk
    html = client.get(f"/admin/positions/position/{pk}/change/").content.decode()
    assert "接听和记录客户的24小时电话报修和投诉情况" in html and "热线电话" in html


@pytest.mark.parametrize("role", ["viewer_user", "manager_user"])
def test_readers_cannot_enter_the_admin(client, seed, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get("/admin/positions/position/").status_code == 302
