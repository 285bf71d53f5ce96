"""The portal's roles as Django groups, kept in step with the permissions after every migrate."""

from django.contrib.auth.models import Group, Permission

MODELS = {
    "positions": ["position", "descriptionitem", "holder"],
    "org_tree": ["department"],
    "assessments": ["kpi"],
}

ADMINISTRATOR = "Administrator"
HR_EDITOR = "HR editor"
MANAGER = "Manager"
VIEWER = "Viewer"

# Role -> actions it may take on every model above. Reading needs "view".
ROLES = {
    ADMINISTRATOR: ("view", "add", "change", "delete"),
    HR_EDITOR: ("view", "add", "change", "delete"),
    MANAGER: ("view",),
    VIEWER: ("view",),
}


def ensure_roles(**kwargs):
    """Create the role groups and give them exactly their permissions (idempotent)."""
    for role, actions in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        codenames = [f"{action}_{model}" for models in MODELS.values() for model in models for action in actions]
        wanted = Permission.objects.filter(content_type__app_label__in=MODELS, codename__in=codenames)
        group.permissions.set(wanted)
