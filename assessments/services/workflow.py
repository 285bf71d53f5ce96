"""An assessment's steps (考核流程): self-assessment, superior scoring, second-level review, done, then
acknowledged or disagreed. Every write locks the assessment row, compares the writer's version number,
checks the cycle is open and writes an AssessmentEvent in the same transaction; access.py decides who acts.

The steps: not started → self → superior → review → done → acknowledged | disagreed.
- submit_self (the person): self → superior. With a self weight of 0 the self-assessment is optional: the
  superior may save or submit scores from "not started" or "self" at once, which skips it (recorded).
- submit_superior (a holder of the superior post): superior → review, or → done when the superior post has
  no superior of its own (nobody to review). Needs every line scored (the breakdown is complete).
- agree (second level): review → done; return (second level, reason required): review → superior.
- acknowledge (the person): done → acknowledged; disagree (reason required): the first time done → superior
  (reopened once), the second time done → disagreed, which stands with both reasons on record.
- comment: anyone with a role but the person, at any step of an open cycle (dotted-line superiors comment,
  never score).
HR editors and Administrators act at any step on someone's behalf (on_behalf=True), recorded as such.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments import access
from assessments.models import Assessment, AssessmentEvent
from assessments.scoring import InvalidInput, Line, RaterWeights, breakdown, check_actual, parse_actual, parse_score
from assessments.services.opening import ensure_open
from portal.text import control_character, control_character_message

Step, Action = Assessment.Step, AssessmentEvent.Action
SELF_FIELDS = ("self_score", "self_comment")
SUPERIOR_FIELDS = ("actual", "superior_score", "superior_comment")
LINE_FIELDS = ("self_score", "self_comment", "actual", "superior_score", "superior_comment")
COMMENT_LIMIT = 2000
# What each action needs of the step, and the role that takes it (HR may take it on that role's behalf).
ACTIONS = {
    Action.SUBMIT_SELF: ((Step.NOT_STARTED, Step.SELF), access.SELF),
    Action.SUBMIT_SUPERIOR: ((Step.NOT_STARTED, Step.SELF, Step.SUPERIOR), access.SUPERIOR),
    Action.AGREE: ((Step.REVIEW,), access.REVIEWER),
    Action.RETURN: ((Step.REVIEW,), access.REVIEWER),
    Action.ACKNOWLEDGE: ((Step.DONE,), access.SELF),
    Action.DISAGREE: ((Step.DONE,), access.SELF),
}
NEEDS_REASON = (Action.RETURN, Action.DISAGREE, Action.COMMENT)


class VersionConflict(Exception):
    """Someone saved the assessment after the writer loaded it; nothing was written."""

    def __init__(self, assessment, expected, current):
        self.expected, self.current = expected, current
        super().__init__(
            _(
                "This assessment was saved by someone else in the meantime (now version %(current)s; you started "
                "from version %(expected)s). Reload it to see their changes."
            )
            % {"current": current, "expected": expected}
        )


def raters(cycle):
    return RaterWeights(cycle.self_weight, cycle.superior_weight)


def score_lines(assessment, lines=None):
    """The breakdown (assessments/scoring.py) of the assessment's lines as saved."""
    lines = list(assessment.lines.all()) if lines is None else lines
    return breakdown(
        [
            Line.for_kpi(line, self_score=line.self_score, superior_score=line.superior_score, actual=line.actual)
            for line in lines
        ],
        raters=raters(assessment.cycle),
        cap=assessment.cycle.cap,
    )


def editable_fields(assessment, role):
    """The line fields `role` fills in at the assessment's step (empty: none)."""
    step = assessment.step
    if step in (Step.NOT_STARTED, Step.SELF):
        if role == access.SELF:
            return SELF_FIELDS
        if role == access.SUPERIOR and assessment.cycle.self_weight == 0:
            return SUPERIOR_FIELDS
    if step == Step.SUPERIOR and role == access.SUPERIOR:
        return SUPERIOR_FIELDS
    return ()


def _acting(user, assessment, role_needed, on_behalf):
    """(role, on_behalf) the writer acts in, or PermissionDenied. HR must say it acts on someone's behalf."""
    roles = access.roles_in(user, assessment)
    if role_needed in roles and not on_behalf:
        return role_needed, False
    if on_behalf and access.HR in roles:
        return role_needed, True
    raise PermissionDenied(_("You may not act on this assessment at this step."))


def _lock(assessment, version):
    """The assessment, row-locked, with its cycle; VersionConflict if it changed since `version`."""
    locked = Assessment.objects.select_for_update(of=("self",)).select_related("cycle", "person", "position")
    current = locked.get(pk=assessment.pk)
    ensure_open(current.cycle)
    if version is None or str(version) != str(current.version):
        raise VersionConflict(current, version, current.version)
    return current


def _text(value):
    return "" if value is None else str(value)


def _event(assessment, user, action, *, on_behalf, changes=None, comment=""):
    return AssessmentEvent.objects.create(
        assessment=assessment,
        version=assessment.version,
        at=timezone.now(),
        user=user,
        on_behalf=on_behalf,
        action=action,
        changes=changes or {},
        comment=comment,
    )


def _read_comment(value, key, errors):
    text = "" if value is None else str(value).strip()
    if len(text) > COMMENT_LIMIT:
        errors[key] = [_("At most %(limit)d characters, not %(count)d.") % {"limit": COMMENT_LIMIT, "count": len(text)}]
    elif control_character(text):
        errors[key] = [control_character_message(control_character(text))]
    return text


def _read_values(lines, values, fields):
    """{order: {field: value}} read from `values` ({order: {field: text}}); ValidationError keyed
    "lines.<order>.<field>" with every problem (nothing is saved then)."""
    by_order = {line.order: line for line in lines}
    errors, read = {}, {}
    for order, given in values.items():
        line = by_order.get(int(order)) if str(order).isdigit() else None
        if line is None:
            errors[f"lines.{order}"] = [_("This assessment has no KPI line %(order)s.") % {"order": order}]
            continue
        for field, value in given.items():
            key = f"lines.{line.order}.{field}"
            if field not in fields:
                errors[key] = [_("You may not change this field at this step.")]
                continue
            try:
                if field.endswith("_comment"):
                    number = _read_comment(value, key, errors)
                elif field == "actual":
                    number = parse_actual(value)
                    if number is not None:
                        check_actual(line.rule, number)
                else:
                    number = parse_score(value)
            except InvalidInput as error:
                errors[key] = [error.validation_error().messages[0]]
                continue
            if key not in errors:
                read.setdefault(line, {})[field] = number
    if errors:
        raise ValidationError(errors)
    return read


@transaction.atomic
def save_lines(user, assessment, *, version, values, on_behalf=False):
    """Save what the acting rater typed for the lines ({order: {field: text}}) and bump the version.

    The person fills self_score and self_comment at the self step (or before it starts); a superior fills
    actual, superior_score and superior_comment at the superior step (and before, with a self weight of 0).
    Every value is read (scoring.parse_score / parse_actual) before anything is written: one bad value and
    nothing is saved. Returns the assessment as saved."""
    assessment = _lock(assessment, version)
    roles = access.roles_in(user, assessment)
    role = access.acting_role(assessment, roles)
    if role is None or on_behalf:
        if not (on_behalf and access.HR in roles) or access.actor_of(assessment) is None:
            raise PermissionDenied(_("You may not act on this assessment at this step."))
        # HR fills in the fields of whoever acts now (the self weight 0 shortcut is the superior's own).
        role = access.actor_of(assessment)
    fields = editable_fields(assessment, role)
    if not fields:
        raise ValidationError(
            _("This assessment cannot be changed at its step (%(step)s).") % {"step": assessment.get_step_display()}
        )
    lines = list(assessment.lines.select_for_update().order_by("order"))
    read = _read_values(lines, values, fields)
    changed = {}
    for line, new in read.items():
        line_changes = {}
        for field, value in new.items():
            old = getattr(line, field)
            if old != value and _text(old) != _text(value):  # Decimal 85 == 85.00: not a change
                line_changes[field] = [_text(old), _text(value)]
                setattr(line, field, value)
        if line_changes:
            line.save(update_fields=list(line_changes))
            changed[str(line.order)] = line_changes
    step_change = None
    if assessment.step == Step.NOT_STARTED and role == access.SELF:
        step_change = [assessment.step, Step.SELF]
        assessment.step = Step.SELF
    elif assessment.step in (Step.NOT_STARTED, Step.SELF) and role == access.SUPERIOR:
        step_change = [assessment.step, Step.SUPERIOR]  # a self weight of 0: the self-assessment is skipped
        assessment.step = Step.SUPERIOR
    assessment.version += 1
    assessment.save(update_fields=["version", "step"])
    changes = {"lines": changed}
    if step_change:
        changes["step"] = step_change
    _event(assessment, user, Action.SAVE, on_behalf=on_behalf, changes=changes)
    return assessment


@transaction.atomic
def advance(user, assessment, action, *, version, reason="", on_behalf=False):
    """Take `action` (an AssessmentEvent.Action) on the assessment at its step; returns it as saved.

    PermissionDenied when `user` may not take it, ValidationError (keyed "reason" or general) when the step
    does not allow it, a reason is missing or lines are unscored, VersionConflict on a lost update."""
    action = Action(action)
    assessment = _lock(assessment, version)
    errors = {}
    reason = _read_comment(reason, "reason", errors)
    if action in NEEDS_REASON and not reason and "reason" not in errors:
        errors["reason"] = [_("Give a reason.")]
    if action == Action.COMMENT:
        roles = access.roles_in(user, assessment)
        if not roles - {access.SELF}:
            raise PermissionDenied(_("You may not act on this assessment at this step."))
        if errors:
            raise ValidationError(errors)
        _event(assessment, user, action, on_behalf=False, comment=reason)
        return assessment
    steps, role_needed = allowed_steps(action, assessment), ACTIONS[action][1]
    if assessment.step not in steps:
        raise ValidationError(
            _("“%(action)s” cannot be taken at the step “%(step)s”.")
            % {"action": action.label, "step": assessment.get_step_display()}
        )
    role, on_behalf = _acting(user, assessment, role_needed, on_behalf)
    if errors:
        raise ValidationError(errors)
    before = assessment.step
    if action == Action.SUBMIT_SELF:
        _require_self_scores(assessment)
        assessment.step = Step.SUPERIOR
    elif action == Action.SUBMIT_SUPERIOR:
        if not score_lines(assessment).complete:
            raise ValidationError(_("Score every line (or give its actual value) before submitting."))
        has_reviewer = assessment.position is not None and (
            assessment.position.parent_id is not None
            and type(assessment.position)
            .objects.filter(pk=assessment.position.parent_id, parent__isnull=False)
            .exists()
        )
        assessment.step = Step.REVIEW if has_reviewer else Step.DONE
    elif action == Action.AGREE:
        assessment.step = Step.DONE
    elif action == Action.RETURN:
        assessment.step = Step.SUPERIOR
    elif action == Action.ACKNOWLEDGE:
        assessment.step = Step.ACKNOWLEDGED
    elif action == Action.DISAGREE:
        reopened = assessment.events.filter(action=Action.DISAGREE).exists()
        assessment.step = Step.DISAGREED if reopened else Step.SUPERIOR
    assessment.version += 1
    assessment.save(update_fields=["version", "step"])
    _event(assessment, user, action, on_behalf=on_behalf, changes={"step": [before, assessment.step]}, comment=reason)
    return assessment


def _require_self_scores(assessment):
    """With a self weight above 0, every directly scored line needs the person's score."""
    if assessment.cycle.self_weight == 0:
        return
    missing = {
        f"lines.{line.order}.self_score": [_("Give your score for this line.")]
        for line in assessment.lines.all()
        if line.rule == "direct" and line.self_score is None
    }
    if missing:
        raise ValidationError(missing)


def allowed_steps(action, assessment):
    """The steps at which `action` may be taken (only a self weight of 0 lets the superior skip the self step)."""
    steps, _role = ACTIONS[action]
    if action == Action.SUBMIT_SUPERIOR and assessment.cycle.self_weight != 0:
        return (Step.SUPERIOR,)
    return steps


def available_actions(assessment, roles):
    """[(action, on_behalf)] `roles` may take now (the page's buttons): their own first, HR's on behalf after."""
    if not assessment.cycle.is_open:
        return []
    own, behalf = [], []
    for action, (_steps, role) in ACTIONS.items():
        if assessment.step not in allowed_steps(action, assessment):
            continue
        if role in roles:
            own.append((action, False))
        elif access.HR in roles:
            behalf.append((action, True))
    if roles - {access.SELF}:
        own.append((Action.COMMENT, False))
    return own + behalf


def fields_for(assessment, roles):
    """(the line fields `roles` fill in now, whether that is on someone's behalf)."""
    if not assessment.cycle.is_open:
        return (), False
    role = access.acting_role(assessment, roles)
    if role is not None:
        return editable_fields(assessment, role), False
    if access.HR in roles and access.actor_of(assessment):
        return editable_fields(assessment, access.actor_of(assessment)), True
    return (), False
