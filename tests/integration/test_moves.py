"""Moving a post under a new superior (services/moves.py): the subtree follows, loops are refused with
their chain, every move is one new version, and many concurrent moves lose nothing and leave the mptt
numbering equal to a fresh rebuild."""

import random
import re
import threading
import time
import traceback

import pytest
from django.db import connection, connections
from django.utils import translation

from portal.models import TREE_FIELDS, tree_numbers
from positions.models import Position
from positions.services.editing import VersionConflict
from positions.services.moves import MoveRefused, move_position
from tests.factories import PositionFactory, build_tree

SKIP_ON_SQLITE = "needs concurrent writers: PostgreSQL (CI runs on it); SQLite serialises whole transactions"


# ---------------------------------------------------------------------------------------------------
# Checks shared by the plain tests and the concurrency test


def tree_rows():
    """{code: row} with the parent's code, the tree fields and the version of every position."""
    rows = Position.objects.values("pk", "code", "parent__code", "version", "updated_at", *TREE_FIELDS)
    return {row["code"]: row for row in rows}


def numbering_problems(rows):
    """What differs from the numbering a fresh rebuild would give; [] when the tree is sound.

    The root tree ids are taken as they are (mptt leaves gaps when a tree goes under another node,
    and renumber() keeps a root's tree id), so the comparison is structure-invariant: each tree's
    nested-set numbers and levels must equal tree_numbers() computed from the parent links, every
    root must have a tree id of its own, and the trees must come in code order, as rebuild() puts them.
    """
    problems = []
    roots = sorted((row for row in rows.values() if row["parent__code"] is None), key=lambda row: row["tree_id"])
    tree_ids = [row["tree_id"] for row in roots]
    if len(set(tree_ids)) != len(tree_ids):
        problems.append(("roots share a tree id", [(row["code"], row["tree_id"]) for row in roots]))
    if [row["code"] for row in roots] != sorted(row["code"] for row in roots):
        problems.append(("trees are not in code order", [(row["code"], row["tree_id"]) for row in roots]))
    expected = tree_numbers(
        ((code, row["parent__code"], code) for code, row in rows.items()),
        {row["code"]: row["tree_id"] for row in roots},
    )
    for code, row in sorted(rows.items()):
        actual = {name: row[name] for name in TREE_FIELDS}
        if actual != expected.get(code):
            problems.append((code, actual, expected.get(code)))
    return problems


def reachability_problems(rows):
    """Positions on a cycle of parent links or not reachable from a root; [] when the tree is sound."""
    children = {}
    for code, row in rows.items():
        children.setdefault(row["parent__code"], []).append(code)
    reached, pending = set(), list(children.get(None, []))
    while pending:
        code = pending.pop()
        if code in reached:
            return [("reached twice", code)]
        reached.add(code)
        pending.extend(children.get(code, []))
    return sorted(set(rows) - reached)


def assert_sound(rows=None):
    rows = tree_rows() if rows is None else rows
    assert numbering_problems(rows) == []
    assert reachability_problems(rows) == []


def org(*pairs):
    """Positions from (code, superior code) pairs, superiors first."""
    for code, superior in pairs:
        PositionFactory(code=code, parent=Position.objects.get(code=superior) if superior else None)


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English (the portal's default language is zh-hans; that one has a test too)."""
    with translation.override("en"):
        yield


@pytest.fixture
def chart(db):
    """ROOT ─┬─ A ─┬─ B ── C
    │     └─ B2
    └─ X ── Y
    """
    org(("ROOT", None), ("A", "ROOT"), ("B", "A"), ("C", "B"), ("B2", "A"), ("X", "ROOT"), ("Y", "X"))
    assert_sound()


# ---------------------------------------------------------------------------------------------------
# One move at a time (SQLite and PostgreSQL)


def test_a_move_carries_the_whole_subtree_under_the_new_superior(chart):
    before = tree_rows()

    moved = move_position("A", "Y")

    after = tree_rows()
    assert moved.parent_id == Position.objects.get(code="Y").pk
    assert {code: after[code]["parent__code"] for code in ("A", "B", "C", "B2")} == {
        "A": "Y",
        "B": "A",
        "C": "B",
        "B2": "A",
    }
    assert Position.objects.get(code="A").get_descendant_count() == 3
    assert {code: after[code]["level"] - before[code]["level"] for code in ("A", "B", "C", "B2")} == dict.fromkeys(
        ("A", "B", "C", "B2"), 2
    )
    assert [p.code for p in Position.objects.get(code="Y").get_descendants()] == ["A", "B", "C", "B2"]
    assert [p.code for p in Position.objects.get(code="ROOT").get_children()] == ["X"]
    assert_sound(after)


def test_a_move_under_ones_own_descendant_is_refused_naming_the_loop_and_changes_nothing(chart):
    before = tree_rows()

    with pytest.raises(MoveRefused) as refused:
        move_position("A", "C")

    assert str(refused.value) == "A cannot report to C: that would close the loop A → B → C → A."
    assert tree_rows() == before


def test_the_loop_refusal_reads_in_chinese_too(chart):
    with translation.override("zh-hans"), pytest.raises(MoveRefused) as refused:
        move_position("A", "C")

    assert str(refused.value) == "A 不能以 C 为直接上级：这会形成循环汇报关系 A → B → C → A。"


def test_a_move_under_a_direct_report_names_the_two_step_loop(chart):
    with pytest.raises(MoveRefused, match="^B cannot report to C: that would close the loop B → C → B.$"):
        move_position("B", "C")


def test_a_move_under_oneself_is_refused_and_changes_nothing(chart):
    before = tree_rows()

    with pytest.raises(MoveRefused, match="cannot report to itself"):
        move_position("B", "B")

    assert tree_rows() == before


@pytest.mark.parametrize("top", [None, ""])
def test_a_move_to_the_top_makes_the_post_the_root_of_a_tree_of_its_own(chart, top):
    moved = move_position("B", top)

    rows = tree_rows()
    assert moved.parent_id is None
    assert (rows["B"]["parent__code"], rows["B"]["level"], rows["B"]["lft"], rows["B"]["rght"]) == (None, 0, 1, 4)
    assert (rows["C"]["parent__code"], rows["C"]["level"], rows["C"]["tree_id"]) == ("B", 1, rows["B"]["tree_id"])
    assert rows["B"]["tree_id"] != rows["ROOT"]["tree_id"]
    assert Position.objects.get(code="ROOT").get_descendant_count() == 4
    assert_sound(rows)


def test_a_root_moved_back_under_a_superior_brings_its_tree_along(chart):
    move_position("B", None)

    move_position("B", "Y")

    rows = tree_rows()
    assert [code for code, row in rows.items() if row["parent__code"] is None] == ["ROOT"]
    assert [p.code for p in Position.objects.get(code="X").get_descendants()] == ["Y", "B", "C"]
    assert (rows["B"]["level"], rows["C"]["level"]) == (3, 4)
    assert_sound(rows)


def test_an_unknown_superior_is_refused_by_its_code_and_changes_nothing(chart):
    before = tree_rows()

    with pytest.raises(MoveRefused) as refused:
        move_position("A", "NOPE")

    assert str(refused.value) == "Unknown position NOPE."
    assert tree_rows() == before


def test_moving_an_unknown_position_raises_does_not_exist(chart):
    with pytest.raises(Position.DoesNotExist):
        move_position("NOPE", "A")


def test_a_stale_expected_version_raises_a_version_conflict_and_changes_nothing(chart):
    move_position("B", "B2")  # someone else moves B: version 2
    before = tree_rows()

    with pytest.raises(VersionConflict) as conflict:
        move_position("B", "X", expected_version=1)

    assert (conflict.value.code, conflict.value.expected, conflict.value.current) == ("B", 1, 2)
    assert tree_rows() == before


def test_a_successful_move_bumps_the_version_by_one(chart):
    before = tree_rows()

    moved = move_position("B", "X", expected_version=before["B"]["version"])

    after = tree_rows()
    assert moved.version == after["B"]["version"] == before["B"]["version"] + 1
    assert after["B"]["updated_at"] > before["B"]["updated_at"]
    # Only the moved post is a new version: its reports and old and new superiors are not.
    assert {code: row["version"] for code, row in after.items() if code != "B"} == {
        code: row["version"] for code, row in before.items() if code != "B"
    }


def test_a_move_to_the_current_superior_changes_nothing(chart):
    before = tree_rows()

    moved = move_position("B", "A", expected_version=before["B"]["version"])

    assert moved.version == before["B"]["version"]
    assert tree_rows() == before


# ---------------------------------------------------------------------------------------------------
# Many moves at once (PostgreSQL only)

TREE_SIZE = 150
THREADS = 8
MOVES_PER_THREAD = 125  # successful moves each thread makes; refused ones come on top
TOP_SHARE = 0.08  # share of moves to the top
SEED = 20240601
LOOP_REFUSAL = re.compile(
    r"^(?P<code>\S+) cannot report to (?P<superior>\S+): that would close the loop (?P<chain>.+)\.$"
)


def chain_problems(refusals, edges_ever):
    """Refusals whose message is not a loop the tree could have held: the chain must run from the
    moved post down to the refused superior and back, along parent links that existed at some point."""
    problems = []
    for code, superior, message in refusals:
        match = LOOP_REFUSAL.match(message)
        chain = match["chain"].split(" → ") if match else []
        if (
            not match
            or (match["code"], match["superior"]) != (code, superior)
            or chain[0] != code
            or chain[-1] != code
            or chain[-2] != superior
            or len(chain) < 3
            or any((above, below) not in edges_ever for above, below in zip(chain[:-2], chain[1:-1], strict=True))
        ):
            problems.append((code, superior, message))
    return problems


@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_lose_nothing_and_leave_the_numbering_of_a_fresh_rebuild():
    if connection.vendor != "postgresql":
        pytest.skip(SKIP_ON_SQLITE)
    started = time.monotonic()
    build_tree(TREE_SIZE)
    start = tree_rows()
    codes = sorted(start)
    owned = {number: codes[number::THREADS] for number in range(THREADS)}  # each post has one mover
    log = {number: {"moves": [], "refused": []} for number in range(THREADS)}
    errors = []
    barrier = threading.Barrier(THREADS, timeout=60)

    def worker(number):
        rng = random.Random(SEED + number)
        mine = owned[number]
        superiors = {code: start[code]["parent__code"] for code in mine}
        moves, refused = log[number]["moves"], log[number]["refused"]
        try:
            translation.activate("en")  # each thread has its own active language; refusals are parsed in English
            barrier.wait()
            for _attempt in range(20 * MOVES_PER_THREAD):
                if len(moves) == MOVES_PER_THREAD:
                    break
                code = rng.choice(mine)
                if superiors[code] is not None and rng.random() < TOP_SHARE:
                    superior = None
                else:
                    superior = rng.choice([c for c in codes if c not in (code, superiors[code])])
                try:
                    moved = move_position(code, superior)  # its own transaction
                except MoveRefused as exc:
                    refused.append((code, superior, str(exc)))
                else:
                    moves.append((code, superior, moved.version))
                    superiors[code] = superior
        except Exception:  # noqa: BLE001 - any failure in a thread must fail the test
            errors.append((number, traceback.format_exc()))
        finally:
            translation.deactivate()
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(THREADS)]
    moving = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    seconds = time.monotonic() - moving
    stuck = [thread.name for thread in threads if thread.is_alive()]

    moves = [move for number in range(THREADS) for move in log[number]["moves"]]
    refusals = [refusal for number in range(THREADS) for refusal in log[number]["refused"]]
    tops = sum(1 for _code, superior, _version in moves if superior is None)
    print(
        f"\nconcurrent moves: {len(moves)} moves ({tops} to the top), {len(refusals)} refused as loops, "
        f"{THREADS} threads, {seconds:.1f} s moving ({time.monotonic() - started:.1f} s with the tree's set-up)"
    )
    assert stuck == [], "threads still moving after 300 s: a deadlock?"
    assert not errors, "\n".join(f"thread {number}:\n{trace}" for number, trace in errors)
    assert all(len(log[number]["moves"]) == MOVES_PER_THREAD for number in range(THREADS))
    assert refusals, "random superiors should now and then sit under the moved post"

    end = tree_rows()
    assert sorted(end) == codes
    # (a) No move lost: each post reports where its owner's last successful move put it.
    last = {code: start[code]["parent__code"] for code in codes}
    for code, superior, _version in moves:
        last[code] = superior  # a thread's moves are in order, and only its owner moves a post
    assert {code: row["parent__code"] for code, row in end.items()} == last
    # (b) The numbering is what a rebuild from the parent links gives, and (c) a forest: no cycles, all reachable.
    assert numbering_problems(end) == []
    assert reachability_problems(end) == []
    # (d) One new version per successful move, seen in order by the mover.
    counted = {code: 0 for code in codes}
    for number in range(THREADS):
        for code, _superior, version in log[number]["moves"]:
            counted[code] += 1
            assert version == start[code]["version"] + counted[code], (code, version)
    assert {code: row["version"] for code, row in end.items()} == {
        code: start[code]["version"] + counted[code] for code in codes
    }
    # Every refusal names a real loop: moved post → … → refused superior → moved post.
    edges_ever = {(row["parent__code"], code) for code, row in start.items()}
    edges_ever |= {(superior, code) for code, superior, _version in moves}
    assert chain_problems(refusals, edges_ever) == []
