"""The demo tells the truth: the organisation as of today, read from the history, is the one on the chart
today, after load_seed, synth_org (also when it replaces an earlier one) and create_demo_users."""

from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from org_tree.chart import build_chart, build_chart_as_of
from positions import history
from positions.models import Position


def chart(nodes):
    return {node.code: (node.title, node.level, sorted(node.holders), node.descendants) for node in nodes}


def assert_as_of_now_is_today(user):
    today = chart(build_chart(user))
    as_of = chart(build_chart_as_of(user, timezone.now()))
    assert as_of == today
    return today


@override_settings(DEBUG=True)  # create_demo_users runs only in development
def test_the_demo_organisation_as_of_today_is_todays(seed, admin_user):
    call_command("synth_org", positions=300, seed=5, verbosity=0)
    call_command("create_demo_users", verbosity=0)
    today = assert_as_of_now_is_today(admin_user)
    assert len(today) == Position.objects.count() == 312
    assert ("演示技术支持部经理", True) in today["DPT-YW-04"][2]  # the manager's demo login holds its post
    version = history.versions_of("DPT-YW-04").first()
    assert version.history_change_reason == "create_demo_users"


def test_a_replaced_synthetic_organisation_leaves_no_ghosts_as_of_today(seed, admin_user):
    call_command("synth_org", positions=150, seed=1, verbosity=0)
    first = set(Position.objects.filter(code__startswith="SYN-").values_list("pk", flat=True))
    call_command("synth_org", positions=120, seed=2, replace=True, verbosity=0)
    today = assert_as_of_now_is_today(admin_user)
    assert len(today) == 12 + 120
    # The replaced posts are in the history as deleted, so the past still shows them.
    deleted = history.latest().filter(id__in=first, history_type="-").count()
    assert deleted == len(first)
