"""Concurrent structural writes keep the mptt numbering intact (django-mptt itself does no locking)."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from positions.models import Position

pytestmark = pytest.mark.django_db(transaction=True)


def numbering_problems():
    """Every lft/rght used once, and each node's subtree size agrees with its parent links."""
    rows = list(Position.objects.values("pk", "parent_id", "lft", "rght", "tree_id"))
    edges = Counter((r["tree_id"], n) for r in rows for n in (r["lft"], r["rght"]))
    duplicates = [key for key, count in edges.items() if count > 1]
    children = {}
    for row in rows:
        children.setdefault(row["parent_id"], []).append(row["pk"])

    def size(pk):
        return sum(1 + size(child) for child in children.get(pk, []))

    wrong_sizes = [r["pk"] for r in rows if (r["rght"] - r["lft"] - 1) // 2 != size(r["pk"])]
    return duplicates, wrong_sizes


def test_parallel_inserts_and_new_roots_keep_the_tree_valid():
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: PostgreSQL (CI runs on it); SQLite serialises whole transactions")
    root = Position.objects.create(code="ROOT", title="根")
    for n in range(4):
        Position.objects.create(code=f"B{n}", title="分支", parent=Position.objects.get(pk=root.pk))
    errors = []

    def worker(number):
        try:
            for step in range(6):
                parent = None if step % 3 == 0 else Position.objects.get(code=f"B{(number + step) % 4}")
                Position.objects.create(code=f"W{number}-{step}", title="并发", parent=parent)
        except Exception as exc:  # noqa: BLE001 - any failure in a thread must fail the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Position.objects.count() == 5 + 8 * 6
    assert numbering_problems() == ([], [])
    assert Position.objects.filter(parent=None).values("tree_id").distinct().count() == 1 + 8 * 2
