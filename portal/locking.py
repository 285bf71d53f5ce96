"""One lock per tree model, taken before every structural write.

django-mptt does no locking: two concurrent inserts or moves renumber lft/rght
from stale values and corrupt the tree. On PostgreSQL a transaction-scoped
advisory lock serialises structural writes per model; SQLite already allows a
single writer at a time.
"""

import zlib

from django.db import connection, transaction


def lock_tree(model):
    """Hold the tree lock for `model` until the surrounding transaction ends."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_tree() must be called inside transaction.atomic()")
    if connection.vendor == "postgresql":
        key = zlib.crc32(model._meta.label_lower.encode())
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
