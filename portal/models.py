"""Shared model bases."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from mptt.models import MPTTModel

from portal.locking import lock_tree

TREE_FIELDS = ("lft", "rght", "tree_id", "level")


class LockedTreeModel(MPTTModel):
    """An mptt tree whose structural writes hold the tree lock and use fresh numbers.

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
                lock_tree(type(self))
                self._refresh_tree_fields()
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            lock_tree(type(self))
            self._refresh_tree_fields()
            return super().delete(*args, **kwargs)

    def _refresh_tree_fields(self):
        """Re-read lft/rght/tree_id/level of this node and its parent after locking."""
        if self.pk:
            fresh = type(self)._default_manager.filter(pk=self.pk).values(*TREE_FIELDS).first()
            if fresh:
                for name, value in fresh.items():
                    setattr(self, name, value)
        parent = getattr(self, "parent", None)
        if parent is not None and parent.pk:
            fresh = type(self)._default_manager.filter(pk=parent.pk).values(*TREE_FIELDS).first()
            if fresh:
                for name, value in fresh.items():
                    setattr(parent, name, value)
