"""Positions (岗位): the reporting tree, the text of each job description, and the people who hold them."""

import re
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from mptt.managers import TreeManager
from mptt.models import TreeForeignKey
from simple_history.models import HistoricalRecords

from portal.models import LockedTreeModel
from portal.text import control_character, validate_text
from positions.completeness import FACT_NAMES
from positions.querysets import PositionQuerySet
from positions.sections import DEFAULT_STATES, SECTION_KEYS, State

# One pattern for every code a URL names: position codes (岗位编码) and employee numbers (工号). Letters,
# digits, '-', '_' and '.', starting with a letter or digit, so a code is one path segment, never "..".
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
CODE_RULE = _("Use letters, digits, '-', '_' or '.' only, starting with a letter or digit.")
code_validator = RegexValidator(CODE_PATTERN, CODE_RULE)
MAX_EXPERIENCE_YEARS = 60
PERCENT_VALIDATORS = [MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))]


class VersionRecord(models.Model):
    """What each stored version holds besides the position's own columns (simple-history's table)."""

    # The whole job description as it was: every section's rows, links and holders (documents.py).
    document = models.JSONField(_("job description"))
    # One user action writes one version per position it changed; they share this key.
    action = models.UUIDField(_("action"), db_index=True, editable=False)
    # What changed since the version before, as document keys ("title,duties"); labels are shown in
    # the reader's language.
    changed = models.CharField(_("changed"), max_length=500, blank=True)
    # What the portal itself says of the action, language-neutral ({"kind": "approved", "author": "王芳"}):
    # composed in the reader's language when shown (positions/history.py: comment_text), beside the
    # comment a person typed, which is kept as typed.
    note = models.JSONField(_("note"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class RecordedByAction(HistoricalRecords):
    """simple-history's version table, written by positions/history.py once per user action.

    Its save signals stay silent: one action saves a position several times (tree moves, facts)
    and bulk loads save it not at all, so versions are recorded where the action ends instead.
    """

    def post_save(self, instance, created, using=None, **kwargs):
        return

    def post_delete(self, instance, using=None, **kwargs):
        return


class PositionManager(TreeManager.from_queryset(PositionQuerySet)):
    """mptt's tree manager (rebuild, disable_mptt_updates, ...) with the portal's query helpers."""


def _count():
    return models.PositiveIntegerField(default=0, editable=False)


def _total():
    return models.DecimalField(max_digits=9, decimal_places=2, default=0, editable=False)


class CompletenessFacts(models.Model):
    """What completeness is judged on (completeness.FACT_NAMES), kept in the position's own columns.

    The chart and the lists judge thousands of positions without reading their rows.
    services/editing.py stores the facts of each document it saves; services/facts.py
    recounts after any other row write; the position's own fields are taken on every save.
    """

    n_duties = _count()
    n_qualifications = _count()
    n_training = _count()
    n_authorities = _count()
    n_internal_relations = _count()
    n_external_relations = _count()
    n_duties_shared = _count()
    duty_share_total = _total()
    n_kpis = _count()
    n_kpis_unweighted = _count()
    n_kpis_without_standard = _count()
    kpi_weight_total = _total()
    has_purpose = models.BooleanField(default=False, editable=False)
    has_work_environment = models.BooleanField(default=False, editable=False)
    has_education = models.BooleanField(default=False, editable=False)
    n_career = _count()

    class Meta:
        abstract = True

    def stored_facts(self):
        return {name: getattr(self, name) for name in FACT_NAMES}

    def store_facts(self, facts):
        for name in STORED_FACTS:
            setattr(self, name, facts[name])


# Every fact but has_description, which is the position's own field.
STORED_FACTS = tuple(name for name in FACT_NAMES if name != "has_description")


class Position(CompletenessFacts, LockedTreeModel):
    """A post in the organisation; its parent is the direct superior (直接上级)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class Education(models.TextChoices):
        """Minimum education (最低学历), lowest first."""

        ANY = "any", _("No requirement (不限)")
        SECONDARY = "secondary", _("High school or vocational school (高中/中专)")
        ASSOCIATE = "associate", _("Junior college (大专)")
        BACHELOR = "bachelor", _("Bachelor's degree (本科)")
        MASTER = "master", _("Master's degree (硕士)")
        DOCTOR = "doctor", _("Doctorate (博士)")

    code = models.CharField(
        _("position code"),
        max_length=40,
        unique=True,
        validators=[code_validator],
        error_messages={"unique": _("A position with this code already exists.")},
    )
    title = models.CharField(_("position title"), max_length=200)
    department = models.ForeignKey(
        "org_tree.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="positions",
    )
    parent = TreeForeignKey(
        "self",
        verbose_name=_("direct superior"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    headcount = models.PositiveIntegerField(_("headcount"), default=1, validators=[MaxValueValidator(100000)])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    has_description = models.BooleanField(
        _("job description on file"),
        default=True,
        help_text=_("Off for posts known only from another position's reporting line."),
    )
    job_family = models.ForeignKey(
        "org_tree.JobFamily",
        verbose_name=_("job family"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="positions",
    )
    grade = models.ForeignKey(
        "org_tree.Grade",
        verbose_name=_("grade"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="positions",
    )
    purpose = models.TextField(_("purpose"), blank=True, max_length=2000)
    work_environment = models.TextField(_("work environment"), blank=True, max_length=2000)
    education = models.CharField(_("minimum education"), max_length=10, choices=Education.choices, blank=True)
    major = models.CharField(_("major"), max_length=200, blank=True)
    experience_years = models.PositiveSmallIntegerField(
        _("minimum years of experience"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_EXPERIENCE_YEARS)],
    )
    # Bumped by every change to the job description, its rows included: the API's ETag and the
    # editor's version token (positions/services/editing.py is the one place that bumps it).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The sign-off of the published job description (编制人 / 批准人 / 生效日期), set when it is
    # published or a change to it is approved (positions/services/approval.py).
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("prepared by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )  # fmt: skip
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )  # fmt: skip
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    effective_on = models.DateField(_("effective date"), null=True, blank=True, editable=False)
    review_months = models.PositiveSmallIntegerField(
        _("review interval (months)"), default=12, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )

    objects = PositionManager()
    history = RecordedByAction(
        excluded_fields=["lft", "rght", "tree_id", "level", "updated_at"],
        bases=[VersionRecord],
        user_related_name="+",
        # The comment holds what is composed around what people type (an approver's 500 characters after
        # "Approved the proposal of <name>.", "Imported from <a 255-character file name>"): text, not varchar(100).
        history_change_reason_field=models.TextField(null=True),
    )

    class MPTTMeta:
        order_insertion_by = ["code"]

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        permissions = [("approve_position", _("Can approve changes to published job descriptions"))]
        # Chart order: lets a page of the list stop after LIMIT rows instead of sorting the whole tree.
        indexes = [models.Index(fields=["tree_id", "lft"], name="%(app_label)s_%(class)s_tree_order")]
        constraints = [
            models.CheckConstraint(
                condition=Q(headcount__gte=0),
                name="%(app_label)s_%(class)s_headcount_not_negative",
                violation_error_message=_("Headcount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(experience_years__isnull=True) | Q(experience_years__lte=MAX_EXPERIENCE_YEARS),
                name="%(app_label)s_%(class)s_experience_range",
                violation_error_message=_("Years of experience must be a whole number from 0 to 60."),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def save(self, *args, **kwargs):
        for name, value in self.own_facts().items():
            setattr(self, name, value)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *self.own_facts()}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("positions:detail", args=[self.code])

    def clean(self):
        super().clean()
        from org_tree.models import check_grade_fits_family

        check_grade_fits_family(self.grade, self.job_family)

    def own_facts(self):
        """The completeness facts this row's own fields give (the rest come from its lines and links)."""
        return {
            "has_description": self.has_description,
            "has_purpose": bool(self.purpose),
            "has_work_environment": bool(self.work_environment),
            "has_education": bool(self.education),
        }

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED


class DescriptionItem(models.Model):
    """One numbered line of a job description: a duty, a qualification, an authority, a contact ..."""

    class Kind(models.TextChoices):
        DUTY = "duty", _("Duty")
        QUALIFICATION = "qualification", _("Qualification")
        TRAINING = "training", _("Training requirement")
        AUTHORITY = "authority", _("Authority")
        INTERNAL = "internal", _("Internal relation")
        EXTERNAL = "external", _("External relation")

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="items", verbose_name=_("position"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    order = models.PositiveIntegerField(_("order"))
    text = models.TextField(_("text"), max_length=2000)
    # Time share (时间占比) of a duty, an exact percentage; only duties have one.
    share = models.DecimalField(
        _("time share (%)"), max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT_VALIDATORS
    )

    class Meta:
        verbose_name = _("job description item")
        verbose_name_plural = _("job description items")
        ordering = ["position", "kind", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["position", "kind", "order"],
                name="%(app_label)s_%(class)s_unique_order",
                violation_error_message=_("Two items of the same kind cannot share an order number."),
            ),
            models.CheckConstraint(
                condition=~Q(text=""),
                name="%(app_label)s_%(class)s_text_not_empty",
                violation_error_message=_("An item needs some text."),
            ),
            models.CheckConstraint(
                condition=Q(share__isnull=True) | (Q(kind="duty") & Q(share__gt=0) & Q(share__lte=100)),
                name="%(app_label)s_%(class)s_share_range",
                violation_error_message=_(
                    "A time share belongs to a duty and must be more than 0%% and at most 100%%."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.order}: {self.text}"


# Document keys of the line sections and the kind of their rows, in the form's order.
LINE_SECTIONS = (
    ("internal_relations", DescriptionItem.Kind.INTERNAL),
    ("external_relations", DescriptionItem.Kind.EXTERNAL),
    ("duties", DescriptionItem.Kind.DUTY),
    ("authorities", DescriptionItem.Kind.AUTHORITY),
    ("qualifications", DescriptionItem.Kind.QUALIFICATION),
    ("training", DescriptionItem.Kind.TRAINING),
)


class PositionLink(models.Model):
    """A line between two positions outside the reporting tree: a dotted-line superior or a career path."""

    class Kind(models.TextChoices):
        DOTTED = "dotted", _("Dotted-line superior")
        PROMOTION = "promotion", _("Can be promoted to")
        ROTATION = "rotation", _("Can rotate with")

    CAREER_KINDS = (Kind.PROMOTION, Kind.ROTATION)

    source = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="links", verbose_name=_("position"))
    target = models.ForeignKey(
        Position, on_delete=models.CASCADE, related_name="incoming_links", verbose_name=_("linked position")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    order = models.PositiveIntegerField(_("order"), default=1)

    class Meta:
        verbose_name = _("position link")
        verbose_name_plural = _("position links")
        ordering = ["source", "kind", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "target"],
                name="%(app_label)s_%(class)s_unique",
                violation_error_message=_("This link is already there."),
            ),
            models.CheckConstraint(
                condition=~Q(source=F("target")),
                name="%(app_label)s_%(class)s_not_to_itself",
                violation_error_message=_("A position cannot be linked to itself."),
            ),
        ]

    def __str__(self):
        return f"{self.source_id} {self.kind} {self.target_id}"

    def clean(self):
        super().clean()
        if self.source_id and self.source_id == self.target_id:
            raise ValidationError({"target": _("A position cannot be linked to itself.")})


class Person(models.Model):
    """An employee (员工): an employee number (工号), a name, optionally the login they use."""

    # The pattern of position codes (CODE_PATTERN): a 工号 is addressed in URLs (/api/people/<number>/).
    employee_number = models.CharField(
        _("employee number"),
        max_length=40,
        unique=True,
        validators=[code_validator],
        error_messages={"unique": _("A person with this employee number already exists.")},
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100, validators=[validate_text])
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
        error_messages={"unique": _("This login already belongs to another person.")},
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["employee_number"]

    def __str__(self):
        return f"{self.name} ({self.employee_number})"

    def get_absolute_url(self):
        return reverse("positions:person", args=[self.pk])

    @classmethod
    def refused_numbers(cls, numbers):
        """The employee numbers among `numbers` that a new person may not get: not of CODE_PATTERN, and not on
        file already (one stored before the pattern existed stays valid, as in clean_fields)."""
        malformed = {number for number in numbers if number and not re.match(CODE_PATTERN, number)}
        # A control character is never on file (PostgreSQL cannot even be asked about NUL).
        asked = [number for number in malformed if control_character(number) is None]
        return malformed - set(cls.objects.filter(employee_number__in=asked).values_list("employee_number", flat=True))

    @classmethod
    def from_db(cls, db, field_names, values):
        person = super().from_db(db, field_names, values)
        person._stored_number = person.__dict__.get("employee_number")
        return person

    def clean_fields(self, exclude=None):
        # The pattern applies to new and changed numbers. One stored before it existed stays valid, so the
        # person can still be renamed or given a login without being renumbered (HR's systems name them so).
        if self.pk is not None and self.employee_number == getattr(self, "_stored_number", None):
            exclude = {*(exclude or ()), "employee_number"}
        super().clean_fields(exclude=exclude)


class AssignmentQuerySet(models.QuerySet):
    def current(self):
        """The assignments held today (Assignment.current_condition)."""
        return self.filter(Assignment.current_condition())

    def current_first(self):
        """A person's career: current posts (primary first), then the ended ones, the latest first."""
        held = Assignment.current_condition()
        return self.alias(
            gone=Case(When(held, then=Value(False)), default=Value(True)),
            gone_on=Case(When(held, then=Value(None)), default=F("ended_on"), output_field=models.DateField()),
        ).order_by("gone", F("gone_on").desc(), "-kind", "started_on", "pk")


class Assignment(models.Model):
    """A person holding a post: their primary post (主岗) or a concurrent one (兼岗)."""

    class Kind(models.TextChoices):
        PRIMARY = "primary", _("Primary post (主岗)")
        CONCURRENT = "concurrent", _("Concurrent post (兼岗)")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("person"))
    # Null once the post is deleted: the person keeps the record, named by the code and title below.
    position = models.ForeignKey(
        Position,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,  # so the record of a deleted post can still be edited; clean() wants a post for a new one
        related_name="assignments",
        verbose_name=_("position"),
    )
    # Filled by save(); db_default for rows inserted without it (synth_org's bulk SQL).
    position_code = models.CharField(_("position code"), max_length=40, blank=True, db_default="", editable=False)
    position_title = models.CharField(_("position title"), max_length=200, blank=True, db_default="", editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PRIMARY)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["position", "-kind", "pk"]  # primary before concurrent, without joining people
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(kind="primary", ended_on__isnull=True),
                name="%(app_label)s_%(class)s_one_primary",
                violation_error_message=_("This person already holds a primary post; make this one concurrent."),
            ),
            models.UniqueConstraint(
                fields=["person", "position"],
                condition=Q(ended_on__isnull=True),
                name="%(app_label)s_%(class)s_once_per_post",
                violation_error_message=_("This person already holds this post."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(started_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message=_("An assignment cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.person} → {self.position_code or self.position_id} ({self.kind})"

    def save(self, *args, **kwargs):
        if self.position_id is not None:
            self.position_code, self.position_title = self.position.code, self.position.title
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "position_code", "position_title"}
        super().save(*args, **kwargs)

    @staticmethod
    def current_condition():
        """The one rule for holding a post now, as a query condition: not ended, or ending after today.

        `ended_on` is the day the post is given up, in the portal's time zone: ending an assignment
        today frees the place today; one ending next month holds it until then.
        """
        return Q(ended_on__isnull=True) | Q(ended_on__gt=timezone.localdate())

    @property
    def is_current(self):
        """current_condition() for a row in hand."""
        return self.ended_on is None or self.ended_on > timezone.localdate()

    @property
    def is_primary(self):
        return self.kind == self.Kind.PRIMARY

    def clean(self):
        """Say at the field what the constraints would refuse: a second primary post, a post held twice.

        The constraints only see open-ended assignments; this also counts those ending later, except
        one given up by the day this one starts (a handover booked ahead).
        """
        super().clean()
        # The post may be an unsaved one, still without an id (an admin inline under a new post).
        if self._state.adding and self.position_id is None and self.position is None:
            raise ValidationError({"position": _("An assignment needs a post.")})
        if not self.is_current or not self.person_id:
            return
        others = Assignment.objects.current().filter(person_id=self.person_id).exclude(pk=self.pk)
        if self.started_on is not None:
            others = others.exclude(ended_on__lte=self.started_on)
        if self.is_primary and others.filter(kind=self.Kind.PRIMARY).exists():
            raise ValidationError({"kind": _("This person already holds a primary post; make this one concurrent.")})
        if self.position_id and others.filter(position_id=self.position_id).exists():
            raise ValidationError({"position": _("This person already holds this post.")})


class JDTemplate(models.Model):
    """The organisation's job-description form: which sections it uses and which must be filled.

    One row (pk 1); `JDTemplate.current()` gives the defaults (the seed's form) until an
    Administrator saves it.
    """

    SINGLETON = 1

    sections = models.JSONField(_("sections"), default=dict)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("job-description template")
        verbose_name_plural = _("job-description templates")

    def __str__(self):
        return str(_("Job-description template"))

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        cache.delete(self.CACHE_KEY)

    # Read on every page; kept a few seconds in each process. Saving clears this process's copy;
    # other processes see the change within CACHE_SECONDS.
    CACHE_KEY = "positions.jd-template"
    CACHE_SECONDS = 5

    @classmethod
    def current(cls):
        template = cache.get(cls.CACHE_KEY)
        if template is None:
            template = cls.objects.filter(pk=cls.SINGLETON).first() or cls(pk=cls.SINGLETON)
            cache.set(cls.CACHE_KEY, template, cls.CACHE_SECONDS)
        return template

    def state(self, key):
        value = (self.sections or {}).get(key)
        return value if value in State.values else DEFAULT_STATES[key]

    def states(self):
        return {key: self.state(key) for key in SECTION_KEYS}

    @property
    def required(self):
        """The keys of the sections a complete job description must fill."""
        return frozenset(key for key in SECTION_KEYS if self.state(key) == State.REQUIRED)

    def uses(self, key):
        return self.state(key) != State.OFF


class Proposal(models.Model):
    """A change to a published job description, waiting for an approver (positions/services/approval.py).

    Readers keep seeing the published version until it is approved and in effect; `document` is the
    whole job description as proposed, `base_version` the version it was made from. An approval
    dated after today is scheduled: it applies on its effective date (positions/tasks.py), unless
    the job description changed since, and then it is overtaken and not applied. A returned or
    overtaken proposal is revised into a new one (`revises`) or withdrawn by its author.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        SCHEDULED = "scheduled", _("Approved, takes effect later")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")
        OVERTAKEN = "overtaken", _("Not applied: overtaken")
        REVISED = "revised", _("Revised")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # Waiting for its author: to be revised or withdrawn (counted in the author's menu).
    WITH_AUTHOR = (Status.RETURNED, Status.OVERTAKEN)

    position = models.ForeignKey(
        Position, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("position")
    )
    document = models.JSONField(_("job description"))
    base_version = models.PositiveIntegerField(_("version it was made from"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("author")
    )
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("decided by"),
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.CharField(_("approver's comment"), max_length=500, blank=True)
    effective_on = models.DateField(_("effective date"), null=True, blank=True)
    applied_at = models.DateTimeField(_("took effect at"), null=True, blank=True)
    # Why an approved change was not applied on its effective date; empty: the job description changed since.
    not_applied_because = models.CharField(_("not applied because"), max_length=500, blank=True)
    revises = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="revisions",
        verbose_name=_("revises"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-pk"]
        # The menu's counts: the waiting ones, and those back with their author.
        indexes = [models.Index(fields=["status", "author"], name="positions_proposal_by_status")]

    def __str__(self):
        return f"{self.position_id} #{self.pk} ({self.status})"

    def get_absolute_url(self):
        return reverse("positions:proposal", args=[self.pk])


class AcknowledgementQuerySet(models.QuerySet):
    def counting(self):
        """The acknowledgements that still count: given after their job description was last approved
        (the one rule; a new approval asks the holders again)."""
        return self.filter(Q(position__approved_at__isnull=True) | Q(acknowledged_at__gte=F("position__approved_at")))


class Acknowledgement(models.Model):
    """A holder's signature (签字确认) on the published job description of a post they hold."""

    position = models.ForeignKey(
        Position, on_delete=models.CASCADE, related_name="acknowledgements", verbose_name=_("position")
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="acknowledgements", verbose_name=_("person")
    )
    version = models.PositiveIntegerField(_("version acknowledged"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), auto_now_add=True)

    objects = AcknowledgementQuerySet.as_manager()

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        ordering = ["-acknowledged_at", "-pk"]

    def __str__(self):
        return f"{self.person_id} → {self.position_id} v{self.version}"
