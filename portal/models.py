"""Shared model bases."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from mptt.models import MPTTModel

from portal.bulk import bulk_update
from portal.locking import lock_tree

TREE_FIELDS = ("lft", "rght", "tree_id", "level")


class LockedTreeModel(MPTTModel):
    """An mptt tree whose structural writes hold the tree lock.

    Every insert, move and delete goes through save()/delete() here, so admin
    edits, services and imports share one safe path.
    """

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.pk and self.parent_id:
            if self.parent_id == self.pk:
                raise ValidationError({"parent": _("A node cannot be its own parent.")})
            parent = type(self)._default_manager.filter(pk=self.parent_id).only(*TREE_FIELDS).first()
            current = type(self)._default_manager.filter(pk=self.pk).only(*TREE_FIELDS).first()
            if parent and current and current.tree_id == parent.tree_id and current.lft < parent.lft < current.rght:
                raise ValidationError({"parent": _("The parent cannot be one of this node's own descendants.")})

    def _structure_changes(self):
        """True for a new node, a new parent or a changed ordering field: all renumber the tree."""
        if self.pk is None:
            return True
        cached = getattr(self, "_mptt_cached_fields", {})
        return any(old != self._mptt_meta.get_raw_field_value(self, name) for name, old in cached.items())

    def save(self, *args, **kwargs):
        with transaction.atomic():
            if self._structure_changes():
                # mptt re-reads the node's and its target's numbers inside save(), after the lock is held.
                lock_tree(type(self))
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            lock_tree(type(self))  # mptt's delete() re-reads the node's numbers itself
            return super().delete(*args, **kwargs)


def tree_numbers(nodes, root_tree_ids):
    """mptt's tree fields for a forest, numbered as mptt's rebuild() numbers it.

    `nodes` is an iterable of (key, parent_key, sort_key); siblings are ordered by
    sort_key (the models' order_insertion_by). `root_tree_ids` maps each root's key
    to its tree_id. Returns {key: {"tree_id", "lft", "rght", "level"}}. Iterative, so
    a reporting chain of any depth is fine.
    """
    children, sort_keys = {}, {}
    for key, parent, sort_key in nodes:
        sort_keys[key] = sort_key
        children.setdefault(parent, []).append(key)
    for siblings in children.values():
        siblings.sort(key=sort_keys.__getitem__)
    numbers = {}
    for root in children.get(None, []):
        tree_id, counter = root_tree_ids[root], 1
        stack = [(root, 0, iter(children.get(root, [])))]
        numbers[root] = {"tree_id": tree_id, "lft": counter, "level": 0}
        while stack:
            key, level, pending = stack[-1]
            child = next(pending, None)
            counter += 1
            if child is None:
                numbers[key]["rght"] = counter
                stack.pop()
            else:
                numbers[child] = {"tree_id": tree_id, "lft": counter, "level": level + 1}
                stack.append((child, level + 1, iter(children.get(child, []))))
    return numbers


@transaction.atomic
def renumber(model):
    """Recompute every lft/rght/level/tree_id of `model` from the parent links; write only what changed.

    For bulk writes made with mptt updates disabled. Siblings are ordered by `code`, the
    order_insertion_by of every tree model here. Existing roots keep their tree_id;
    new roots get the next free ones. Takes the tree lock.
    """
    lock_tree(model)
    rows = list(model._default_manager.values_list("pk", "parent_id", "code", *TREE_FIELDS))
    current = {pk: dict(zip(TREE_FIELDS, fields, strict=True)) for pk, _, _, *fields in rows}
    roots = sorted((code, pk) for pk, parent, code, *_ in rows if parent is None)
    used, root_tree_ids, next_id = set(), {}, max((f["tree_id"] for f in current.values()), default=0) + 1
    for _code, pk in roots:  # keep a root's tree_id unless another root already has it
        tree_id = current[pk]["tree_id"]
        if not tree_id or tree_id in used:
            tree_id, next_id = next_id, next_id + 1
        used.add(tree_id)
        root_tree_ids[pk] = tree_id
    numbers = tree_numbers(((pk, parent, code) for pk, parent, code, *_ in rows), root_tree_ids)
    changed = []
    for pk, fields in numbers.items():
        if fields != current[pk]:
            changed.append(model(pk=pk, **fields))
    bulk_update(model, changed, TREE_FIELDS)
    return len(changed)
