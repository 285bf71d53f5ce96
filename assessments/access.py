"""Who may do what with assessments: the one place the cycle pages (and, later, the assessment pages, the API
and exports) ask. In the style of positions/access.py: roles give permissions (portal/roles.py), the checks
read them.

Opening and closing cycles, and their pages: HR editors and Administrators (the command line counts as an
Administrator). Everyone else gets a 403.
"""

from positions.access import requires

CYCLE_PERMISSION = "assessments.change_assessmentcycle"


def may_manage_cycles(user):
    """Whether `user` may see the cycles, open and close them: HR editors and Administrators."""
    return user.is_authenticated and user.has_perm(CYCLE_PERMISSION)


cycle_manager_required = requires(may_manage_cycles)
