"""The Django admin covers every model (who may enter it: tests/integration/test_permissions.py)."""


def test_the_admin_page_for_adding_a_person_opens(client, seed, admin_user):
    """The admin's list of each model, and the position's add page, are rows of the permission MATRIX."""
    client.force_login(admin_user)
    assert client.get("/admin/positions/person/add/").status_code == 200


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
