"""The history answers for the past: after any sequence of edits, moves, deletes and restores, the
organisation as of each instant (history.documents_as_of) is the one the database held then.

Each example starts from the seed organisation, runs 15 to 30 random steps with the test clock moved
on by a random time before each, captures the live organisation after each step, and at the end
compares every capture with the history's answer for its instant and for the instant just before
the next step. The example runs inside a transaction that is rolled back, so each starts afresh.
"""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from positions import history
from positions.models import DescriptionItem, Position
from positions.services.editing import (
    DeleteRefused,
    DocumentInvalid,
    RestoreRefused,
    Save,
    delete_position,
    restore_version,
    save_documents,
)
from positions.services.moves import MoveRefused, move_position
from tests.integration.test_history import Clock

Version = Position.history.model
WORDS = st.text(alphabet="客户服务技术支持运维经理专员助理网络验收", min_size=1, max_size=8)
ONE_MS = datetime.timedelta(milliseconds=1)


@pytest.fixture
def clock(monkeypatch, seed):
    """The test clock, standing where the seed was recorded (conftest's seed is stamped with the real time)."""
    clock = Clock(Version.objects.order_by("-history_date").values_list("history_date", flat=True).first())
    clock.seeded = clock.now
    monkeypatch.setattr(history, "clock", clock)
    return clock


def live_organisation():
    """{code: (title, superior code, sorted duty texts)} of every position in the database now."""
    duties = {}
    for position_id, text in DescriptionItem.objects.filter(kind=DescriptionItem.Kind.DUTY).values_list(
        "position_id", "text"
    ):
        duties.setdefault(position_id, []).append(text)
    return {
        code: (title, superior, sorted(duties.get(pk, [])))
        for pk, code, title, superior in Position.objects.values_list("pk", "code", "title", "parent__code")
    }


def organisation_as_of(at):
    """The same shape, from the history, with each position's reports as the history gives them."""
    documents = history.documents_as_of(at)
    codes = [document["code"] for document in documents]
    assert len(codes) == len(set(codes)), f"a position twice as of {at}: {codes}"
    state = {d["code"]: (d["title"], d["reports_to"], sorted(row["text"] for row in d["duties"])) for d in documents}
    reports = {d["code"]: sorted(d["direct_reports"]) for d in documents}
    return state, reports


def reports_in(state):
    reports = {code: [] for code in state}
    for code, (_title, superior, _duties) in state.items():
        if superior is not None:
            reports[superior].append(code)
    return {code: sorted(codes) for code, codes in reports.items()}


def edit(data, code):
    position = Position.objects.get(code=code)
    duties = [
        {"text": text, "share": None}
        for text in position.items.filter(kind=DescriptionItem.Kind.DUTY)
        .order_by("order")
        .values_list("text", flat=True)
    ]
    if duties and data.draw(st.booleans(), label="duty rather than title"):
        index = data.draw(st.integers(0, len(duties) - 1), label="duty")
        duties[index]["text"] = data.draw(WORDS, label="duty text")
        change = {"duties": duties}
    else:
        change = {"title": data.draw(WORDS, label="title")}
    # Content only: the seed's posts without duties or KPIs are published yet incomplete.
    save_documents([Save(change, code=code)], require_complete_to_publish=False)


def move(data, code):
    superior = data.draw(st.sampled_from([None, *live_codes()]), label="superior")
    try:
        move_position(code, superior)
    except MoveRefused:
        return "refused"


def delete(data, code):
    position = Position.objects.select_related("parent").get(code=code)
    try:
        delete_position(code, reports_go_to=position.parent.code if position.parent else None)
    except DeleteRefused:  # reports and no superior to give them to
        return "refused"


def restore(data, _code):
    ids = list(Version.objects.order_by("history_id").values_list("history_id", "code"))
    version_id, code = data.draw(st.sampled_from(ids), label="version")
    try:
        restore_version(code, version_id)
    except (RestoreRefused, DocumentInvalid):
        return "refused"


STEPS = {"edit": edit, "move": move, "delete": delete, "restore": restore}
# Deletes are rarer than the rest, or a few steps would leave little to edit and move.
KINDS = ["edit", "edit", "move", "move", "restore", "restore", "delete"]


def live_codes():
    return sorted(Position.objects.values_list("code", flat=True))


@settings(
    max_examples=25,
    deadline=None,
    database=None,  # no failing examples saved for replay: each run draws afresh
    # The seed, the user and the clock are set up once per test; each example rolls its own changes back.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_the_organisation_as_of_every_instant_is_the_one_the_database_held_then(clock, hr_user, data):
    with transaction.atomic():
        clock.now = clock.seeded
        captured = [(clock.seeded, live_organisation())]
        outcomes = {}
        steps = data.draw(st.integers(15, 30), label="steps")
        event("steps", steps)
        for _ in range(steps):
            clock.now += datetime.timedelta(milliseconds=data.draw(st.integers(1, 3_600_000), label="wait ms"))
            codes = live_codes()
            kind = data.draw(st.sampled_from(KINDS), label="step") if codes else "restore"
            code = data.draw(st.sampled_from(codes), label="position") if codes else None
            with history.acting(hr_user, comment=kind):
                outcome = f"{kind} {STEPS[kind](data, code) or 'done'}"
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            event(outcome)
            captured.append((clock.now, live_organisation()))

        for index, (at, state) in enumerate(captured):
            instants = [at]
            if index + 1 < len(captured):
                instants.append(captured[index + 1][0] - ONE_MS)  # just before the next step
            for instant in instants:
                as_of, reports = organisation_as_of(instant)
                assert as_of == state, f"as of step {index} ({instant}), after {outcomes}"
                assert reports == reports_in(state)
        transaction.set_rollback(True)
