"""The portal's roles as Django groups, kept in step with the permissions after every migrate.

Permissions name models by app label and model name (strings): the project refers to the
domain apps' models here without importing them.
"""

from django.contrib.auth.models import Group, Permission

ADMINISTRATOR = "Administrator"
HR_EDITOR = "HR editor"
MANAGER = "Manager"
VIEWER = "Viewer"
# Given to HR editors an Administrator names: their changes to published job descriptions publish
# at once, and they approve or return others' proposals.
APPROVER = "Approver"

# The organisation's content: what HR keeps.
CONTENT = {
    "positions": ["position", "descriptionitem", "positionlink", "person", "assignment"],
    "org_tree": ["department", "jobcategory", "jobfamily", "grade"],
    "assessments": ["kpi"],
}
# Assessment cycles (考核周期) and what they hold: HR opens, runs and closes them.
ASSESSING = {"assessments": ["assessmentcycle", "assessment", "assessmentline"]}
# How the portal itself is set up: the organisation's job-description template.
CONFIGURATION = {"positions": ["jdtemplate"]}
# The record of every change (the audit log): read by Administrators, written only by the portal.
AUDIT = {"positions": ["historicalposition"]}

# Approving changes to published job descriptions ("approve_position", a custom permission).
APPROVAL = {"positions": ["position"]}
APPROVE = ("approve",)
READ = ("view",)
WRITE = ("view", "add", "change", "delete")

# Role -> [(models, actions)]. Reading needs "view"; editing job descriptions "change" on positions;
# changing the JD template "change" on jdtemplate.
ROLES = {
    ADMINISTRATOR: [(CONTENT, WRITE), (CONFIGURATION, WRITE), (AUDIT, READ), (APPROVAL, APPROVE), (ASSESSING, WRITE)],
    APPROVER: [(APPROVAL, APPROVE)],
    HR_EDITOR: [(CONTENT, WRITE), (CONFIGURATION, READ), (ASSESSING, WRITE)],
    MANAGER: [(CONTENT, READ)],
    VIEWER: [(CONTENT, READ)],
}


def ensure_roles(**kwargs):
    """Create the role groups and give them exactly their permissions (idempotent)."""
    for role, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = Permission.objects.none()
        for models, actions in grants:
            for app_label, names in models.items():
                codenames = [f"{action}_{name}" for name in names for action in actions]
                wanted |= Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        group.permissions.set(wanted)
