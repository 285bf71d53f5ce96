"""Who may do what with assessments: the one place the cycle pages (and, later, the assessment pages, the API
and exports) ask. In the style of positions/access.py: roles give permissions (portal/roles.py), the checks
read them.

Opening and closing cycles, and their pages: HR editors and Administrators (the command line counts as an
Administrator). Everyone else gets a 403.
"""

from django.db.models import Q

from positions.access import requires

CYCLE_PERMISSION = "assessments.change_assessmentcycle"


def may_manage_cycles(user):
    """Whether `user` may see the cycles, open and close them: HR editors and Administrators."""
    return user.is_authenticated and user.has_perm(CYCLE_PERMISSION)


cycle_manager_required = requires(may_manage_cycles)


# Assessments (考核) ------------------------------------------------------------------------------------
# Who sees and acts on one person's assessment. Roles come from posts (held now: Assignment.current), except
# HR (a permission) and Manager (the role group, with the posts under the ones they hold):
#   SELF      the assessed person: sees their own; the superior's scores only once the assessment is done
#   SUPERIOR  holders of the post's parent (直接上级): score it
#   REVIEWER  holders of the parent's parent: second-level review
#   DOTTED    holders of a dotted-line superior post (PositionLink DOTTED): read and comment, never score
#   HR        HR editors and Administrators: see all, act on someone's behalf (recorded as such)
#   MANAGER   Managers: read the assessments of every post under a post they hold
# Viewers and everyone else: none. Pages answer 403, the API (later) 404.

SELF, SUPERIOR, REVIEWER, DOTTED, HR, MANAGER = "self", "superior", "reviewer", "dotted", "hr", "manager"
ASSESSMENT_PERMISSION = "assessments.change_assessment"
# Steps at which the assessed person sees the superior's scores and the second level's view.
SETTLED_STEPS = ("done", "acknowledged", "disagreed")
# Who acts at each step (Assessment.Step values; a self weight of 0 lets the superior start at once).
ACTOR = {"not-started": SELF, "self": SELF, "superior": SUPERIOR, "review": REVIEWER, "done": SELF}


def may_administer_assessments(user):
    """HR editors and Administrators: every assessment, and acting on someone's behalf."""
    return user.is_authenticated and user.has_perm(ASSESSMENT_PERMISSION)


def _is_manager(user):
    from portal.roles import MANAGER as MANAGER_ROLE

    cached = getattr(user, "_assessment_manager", None)
    if cached is None:
        cached = user._assessment_manager = user.groups.filter(name=MANAGER_ROLE).exists()
    return cached


def _held(user):
    """A subquery: the posts `user` holds now."""
    from positions.models import Assignment

    return Assignment.objects.current().filter(person__user=user).values("position_id")


def visible_filter(user):
    """A filter for the Assessment rows `user` may see (the one rule, as a query)."""
    from positions.models import Position, PositionLink

    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if may_administer_assessments(user):
        return Q()
    held = _held(user)
    dotted = PositionLink.objects.filter(kind=PositionLink.Kind.DOTTED, target__in=held).values("source_id")
    condition = (
        Q(person__user=user)
        | Q(position__parent__in=held)
        | Q(position__parent__parent__in=held)
        | Q(position__in=dotted)
    )
    if _is_manager(user):
        subtree = Q(pk__in=[])
        for tree_id, lft, rght in Position.objects.filter(pk__in=held).values_list("tree_id", "lft", "rght"):
            subtree |= Q(tree_id=tree_id, lft__gt=lft, rght__lt=rght)
        condition |= Q(position__in=Position.objects.filter(subtree).values("pk"))
    return condition


def visible_assessments(user, queryset=None):
    """The assessments `user` may see."""
    from assessments.models import Assessment

    queryset = Assessment.objects.all() if queryset is None else queryset
    return queryset.filter(visible_filter(user)).distinct()


def roles_in(user, assessment):
    """The roles `user` has in `assessment` (a set of SELF, SUPERIOR, …); empty: they may not see it."""
    from positions.models import Position, PositionLink

    roles = set()
    if not user.is_authenticated or not user.is_active:
        return roles
    if may_administer_assessments(user):
        roles.add(HR)
    person = assessment.person
    if person.user_id is not None and person.user_id == user.pk:
        roles.add(SELF)
    position = assessment.position
    if position is None:
        return roles
    held = set(_held(user).values_list("position_id", flat=True))
    if not held:
        return roles
    parent_id = position.parent_id
    if parent_id in held:
        roles.add(SUPERIOR)
    if parent_id is not None:
        grandparent_id = Position.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
        if grandparent_id is not None and grandparent_id in held:
            roles.add(REVIEWER)
    if PositionLink.objects.filter(source_id=position.pk, kind=PositionLink.Kind.DOTTED, target_id__in=held).exists():
        roles.add(DOTTED)
    if _is_manager(user) and (
        Position.objects.filter(
            pk__in=held, tree_id=position.tree_id, lft__lt=position.lft, rght__gt=position.rght
        ).exists()
    ):
        roles.add(MANAGER)
    return roles


def may_see(user, assessment, roles=None):
    return bool(roles_in(user, assessment) if roles is None else roles)


def may_see_superior_scores(user, assessment, roles=None):
    """The superior's scores and comments, the total and the second level's view: everyone who may see the
    assessment, except the assessed person before it is done (their own assessment hides it, whatever
    else they are)."""
    roles = roles_in(user, assessment) if roles is None else roles
    if not roles:
        return False
    if SELF in roles:
        return assessment.step in SETTLED_STEPS
    return True


def actor_of(assessment):
    """The role that acts at the assessment's step (None once acknowledged or disagreed)."""
    return ACTOR.get(assessment.step)


def acting_role(assessment, roles):
    """The role in `roles` that may act now, without HR's on-behalf: SELF, SUPERIOR, REVIEWER or None.
    With a self weight of 0 the self-assessment is optional: the superior may also act before it."""
    actor = actor_of(assessment)
    if actor and actor in roles:
        return actor
    if (
        actor == SELF
        and assessment.step in ("not-started", "self")
        and assessment.cycle.self_weight == 0
        and SUPERIOR in roles
    ):
        return SUPERIOR
    return None


def may_act(user, assessment, roles=None):
    """Whether `user` may act on `assessment` at its current step: its actor, or HR on someone's behalf;
    never in a closed cycle or once the assessment is settled."""
    roles = roles_in(user, assessment) if roles is None else roles
    if not assessment.cycle.is_open or actor_of(assessment) is None:
        return False
    return acting_role(assessment, roles) is not None or HR in roles


def worklist_filters(user):
    """{"fill_in": Q, "rate": Q, "review": Q, "acknowledge": Q}: the assessments of open cycles waiting for
    `user` (as the person, a superior, the second level), as conditions on Assessment (the menu counts them,
    /assessments/mine/ lists them). HR's on-behalf acting is no one's worklist."""
    held = _held(user)
    is_open = Q(cycle__status="open")
    early = Q(step__in=("not-started", "self"))
    return {
        "fill_in": is_open & Q(person__user=user) & early,
        "rate": is_open & Q(position__parent__in=held) & (Q(step="superior") | (early & Q(cycle__self_weight=0))),
        "review": is_open & Q(position__parent__parent__in=held) & Q(step="review"),
        "acknowledge": is_open & Q(person__user=user) & Q(step="done"),
    }


def get_assessment_for_user(user, pk):
    """(the assessment with its cycle, person and post, the user's roles in it); 404 if there is none, 403
    if they may not see it (pages; the API answers 404 for both)."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from assessments.models import Assessment

    try:
        assessment = Assessment.objects.select_related("cycle", "person", "position").get(pk=pk)
    except Assessment.DoesNotExist:
        raise Http404 from None
    roles = roles_in(user, assessment)
    if not roles:
        raise PermissionDenied
    return assessment, roles
