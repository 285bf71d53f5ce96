"""API views: the same access rule (positions/access.py) and services as the pages.

Every GET of a position answers with an ETag (its version); every write needs If-Match
(428 without it, 412 when stale), so no script overwrites someone else's change unknowingly.
Field errors come as DRF's {field: [messages]}, rows as lists ({"kpis": [{}, {"weight": [...]}]}).
"""

import hashlib
import json

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import text
from positions import access, history
from positions.api import serializers as shapes
from positions.documents import (
    DOCUMENT_RELATED,
    WRITABLE_KEYS,
    judged,
    kpi_defaults,
    load_positions,
    position_document,
)
from positions.forms.filters import PositionFilterForm
from positions.models import Assignment, JDTemplate, Person, Position, Proposal
from positions.services import approval
from positions.services.editing import (
    DeleteRefused,
    DocumentInvalid,
    RestoreRefused,
    Save,
    VersionConflict,
    delete_position,
    new_document,
)
from positions.services.moves import MoveRefused, move_position
from positions.services.people import PeopleError, assign, end_assignment, save_person
from positions.visibility import redact, related_of

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = "Send If-Match with the ETag you read: writes are refused without it."
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = 412
    default_detail = "Someone changed this since you read it."
    default_code = "precondition_failed"


def etag(version):
    return f'"{version}"'


def require_if_match(request, current):
    """Refuse a write that does not name the current ETag (`*` means: whatever the current one is)."""
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired(_("Send If-Match with the ETag you read (now %(etag)s).") % {"etag": current})
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    if "*" not in tags and current not in tags:
        raise PreconditionFailed(
            _("Someone changed this since you read it: the ETag is now %(etag)s. Read it again.") % {"etag": current}
        )
    return None if "*" in tags else current


def expected_version(request, version):
    """The version a write may replace: `version` when If-Match names its ETag, None for `*` (any);
    a missing or stale If-Match is refused (require_if_match)."""
    return None if require_if_match(request, etag(version)) is None else version


def nested_errors(errors):
    """Service errors ("kpis.2.weight") in DRF's shape ({"kpis": [{}, {"weight": [...]}]}).

    Deeper keys are placed first, so a section's own message ("career") always finds the shape its
    rows or sub-fields built and joins it as "non_field_errors", whatever order the service used.
    """
    result = {}
    for key in sorted(errors, key=lambda key: -key.count(".")):
        messages, parts = list(errors[key]), key.split(".")
        name = "non_field_errors" if parts == ["document"] else parts[0]
        existing = result.get(name)
        if len(parts) >= 2 and parts[1].isdigit():
            rows = result.setdefault(name, [])
            index = int(parts[1]) - 1
            while len(rows) <= index:
                rows.append({})
            field = parts[2] if len(parts) > 2 else "non_field_errors"
            rows[index].setdefault(field, []).extend(messages)
        elif len(parts) >= 2:
            result.setdefault(name, {}).setdefault(".".join(parts[1:]), []).extend(messages)
        elif isinstance(existing, dict):
            existing.setdefault("non_field_errors", []).extend(messages)
        elif existing:  # the section's rows: its own message follows them
            existing.append({"non_field_errors": messages})
        else:
            result[name] = messages
    return result


def _readable(request, code):
    positions = load_positions(Position.objects.filter(code=code).order_by())
    if not positions or not access.can_read(request.user, positions[0]):
        raise exceptions.NotFound(_("No such position."))
    return positions[0]


def _document_response(request, position, status_code=200, headers=None):
    """The position's document as the caller may see it (positions/visibility.py), with its ETag."""
    (document,) = redact(request.user, [position_document(position)], related=position.related)
    document = judged(document, JDTemplate.current().required)
    return Response(document, status=status_code, headers={"ETag": etag(document["version"]), **(headers or {})})


def _submit(request, save):
    """Save as the caller may: at once, or as a proposal for an approver (services/approval.py)."""
    try:
        return approval.submit(request.user, save)
    except DocumentInvalid as refusal:
        raise exceptions.ValidationError(nested_errors(refusal.errors)) from None
    except VersionConflict as conflict:
        raise PreconditionFailed(str(conflict)) from None


AS_OF = OpenApiParameter(
    "as_of", str, description=_("A date (YYYY-MM-DD: the end of that day) or an ISO 8601 time: the organisation then")
)


def _as_of(request):
    """The instant `as_of` names, or None; a 400 naming the parameter when it names none."""
    if "as_of" not in request.query_params:
        return None
    try:
        return history.parse_as_of(request.query_params["as_of"])
    except history.AsOfError as error:
        raise exceptions.ValidationError({"as_of": [str(error)]}) from None


def _page_size(request):
    page_size = text.whole_number(request.query_params.get("page_size") or DEFAULT_PAGE_SIZE)
    if page_size is None or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise exceptions.ValidationError(
            {"page_size": [_("Give a whole number from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE}]}
        )
    return page_size


def _page(request, paginator):
    """The page `page` names: 400 for one that is not a whole number, 404 past the end."""
    try:
        return paginator.page(request.query_params.get("page") or 1)
    except PageNotAnInteger:
        raise exceptions.ValidationError({"page": [_("Give a whole number.")]}) from None
    except EmptyPage:
        raise exceptions.NotFound(
            _("There is no page %(page)s.") % {"page": request.query_params.get("page")}
        ) from None


@extend_schema(tags=["positions"])
class PositionList(APIView):
    rules = {"GET": access.may_read, "POST": access.may_edit}

    @extend_schema(
        operation_id="positions_list",
        summary="List positions in chart order, a page at a time",
        parameters=[
            OpenApiParameter("q", str, description=_("Code, title or any text of the job description")),
            OpenApiParameter("department", int, description=_("Department id; includes sub-departments")),
            OpenApiParameter("scope", str, enum=["own"], description=_("'own': not the sub-departments")),
            OpenApiParameter("status", str, enum=["draft", "published"]),
            OpenApiParameter("job_category", int),
            OpenApiParameter("job_family", int),
            OpenApiParameter("grade", int),
            OpenApiParameter("education", str),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int, description=f"1 to {MAX_PAGE_SIZE}"),
            AS_OF,
        ],
        responses=shapes.PositionPageSerializer,
    )
    def get(self, request):
        at = _as_of(request)
        if at is not None:
            return self._as_of(request, at)
        form = PositionFilterForm(request.query_params, user=request.user)
        if not form.is_valid():
            raise exceptions.ValidationError(form.errors)
        page_size = _page_size(request)
        positions = form.filter(Position.objects.visible_to(request.user)).select_related(*DOCUMENT_RELATED)
        paginator = Paginator(positions.order_by("tree_id", "lft"), page_size)
        page = _page(request, paginator)
        required = JDTemplate.current().required
        positions = load_positions(list(page.object_list))
        documents = redact(request.user, [position_document(p) for p in positions], related=related_of(positions))
        documents = [judged(document, required) for document in documents]
        return Response(
            {"count": paginator.count, "page": page.number, "pages": paginator.num_pages, "results": documents}
        )

    def _as_of(self, request, at):
        """The organisation as it was at `at`: every position's document then, in chart order."""
        unsupported = sorted(set(request.query_params) - {"as_of", "page", "page_size", "status"})
        if unsupported:
            raise exceptions.ValidationError(
                {name: [_("This filter cannot be combined with as_of.")] for name in unsupported}
            )
        page_size = _page_size(request)
        versions = history.latest_as_of(at).filter(access.readable_filter(request.user))
        status_wanted = request.query_params.get("status")
        if status_wanted:
            if status_wanted not in Position.Status.values:
                raise exceptions.ValidationError({"status": [_("Choose draft or published.")]})
            versions = versions.filter(status=status_wanted)
        tree = history.tree_as_of(at)
        paginator = Paginator(history.ordered_as_of(versions, tree), page_size)
        page = _page(request, paginator)
        required = JDTemplate.current().required
        return Response(
            {
                "count": paginator.count,
                "page": page.number,
                "pages": paginator.num_pages,
                "as_of": at,
                "results": [
                    judged(document, required)
                    for document in redact(
                        request.user,
                        history.documents_as_of(at, versions.filter(id__in=[r[0] for r in page.object_list]), tree),
                        at=at,
                    )
                ],
            }
        )

    @extend_schema(
        summary="Create a position from a whole document",
        request=shapes.PositionWriteSerializer,
        responses={201: shapes.PositionSerializer},
    )
    def post(self, request):
        result = _submit(request, Save(request.data)).result
        (code,) = result.created
        return _document_response(
            request,
            _readable(request, code),
            status.HTTP_201_CREATED,
            {"Location": reverse("api:position-detail", args=[code])},
        )


@extend_schema(tags=["positions"], parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH)])
class PositionDetail(APIView):
    rules = {
        "GET": access.may_read,
        "PUT": access.may_edit,
        "PATCH": access.may_edit,
        "DELETE": access.may_delete,
    }

    @extend_schema(
        summary="One position's job description (ETag: its version), or as it was at `as_of`",
        parameters=[AS_OF],
        responses=shapes.PositionSerializer,
    )
    def get(self, request, code):
        at = _as_of(request)
        if at is None:
            return _document_response(request, _readable(request, code))
        document = history.document_as_of(code, at)
        if document is None or not access.can_read_status(request.user, document.get("status")):
            raise exceptions.NotFound(_("No such position at that time."))
        (document,) = redact(request.user, [document], at=at)
        return Response({**judged(document, JDTemplate.current().required), "as_of": at})

    def _write(self, request, code, partial):
        position = _readable(request, code)
        version = expected_version(request, position.version)
        document = request.data
        if not partial and isinstance(document, dict):
            if "reports_to" not in document:  # never a move to the top by omission
                raise exceptions.ValidationError(
                    {"reports_to": [_("State reports_to: the superior's code, or null for a top-level post.")]}
                )
            # PUT replaces the whole job description: what the writer leaves out is emptied.
            defaults = {key: value for key, value in new_document().items() if key in WRITABLE_KEYS}
            document = {**defaults, "code": code, **document}
        outcome = _submit(request, Save(document, code=code, expected_version=version))
        if outcome.proposal is not None:
            return Response(proposal_json(outcome.proposal), status=status.HTTP_202_ACCEPTED)
        (saved,) = outcome.result.positions.values()
        return _document_response(request, _readable(request, saved.code))

    @extend_schema(
        summary="Replace the job description (If-Match required)",
        request=shapes.PositionWriteSerializer,
        responses={200: shapes.PositionSerializer, 202: shapes.ProposalSerializer},
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True)],
    )
    def put(self, request, code):
        return self._write(request, code, partial=False)

    @extend_schema(
        summary="Change some keys of the job description (If-Match required)",
        request=shapes.PositionWriteSerializer,
        responses={200: shapes.PositionSerializer, 202: shapes.ProposalSerializer},
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True)],
    )
    def patch(self, request, code):
        return self._write(request, code, partial=True)

    @extend_schema(
        summary="Delete the position (If-Match required); its direct reports move under `reports_go_to`",
        parameters=[
            OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True),
            OpenApiParameter("reports_go_to", str, description=_("Where its direct reports go")),
        ],
        responses={204: None},
    )
    def delete(self, request, code):
        position = _readable(request, code)
        version = expected_version(request, position.version)
        try:
            delete_position(
                code,
                expected_version=version,
                reports_go_to=request.query_params.get("reports_go_to") or None,
            )
        except (DeleteRefused, MoveRefused) as refusal:
            raise exceptions.ValidationError({"non_field_errors": [str(refusal)]}) from None
        except VersionConflict as conflict:
            raise PreconditionFailed(str(conflict)) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


def proposal_json(proposal):
    """A proposal as the API gives it: what waits, for whom, and where to see it."""
    return {
        "proposal": proposal.pk,
        "status": proposal.status,
        "position": proposal.position.code,
        "author": proposal.author.username if proposal.author else None,
        "created_at": timezone.localtime(proposal.created_at).isoformat(timespec="seconds"),
        "comment": proposal.comment,
        "url": reverse("positions:proposal", args=[proposal.pk]),
        "document": kpi_defaults(proposal.document),  # one made before KPI targets: none, direct
    }


def _version_json(row):
    version = row["version"]
    user = version.history_user
    return {
        "id": version.history_id,
        "at": timezone.localtime(version.history_date).isoformat(timespec="milliseconds"),
        "by": user.username if user else None,
        "comment": row["comment"],
        "summary": row["summary"],
        "version": version.document.get("version"),
        "type": {"+": "created", "~": "changed", "-": "deleted"}[version.history_type],
    }


@extend_schema(tags=["history"], parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH)])
class PositionHistory(APIView):
    rules = {"GET": access.may_read}

    @extend_schema(summary="The versions of a position, newest first", responses=shapes.VersionSerializer(many=True))
    def get(self, request, code):
        versions = history.readable_versions(request.user, code)
        if not versions:
            raise exceptions.NotFound(_("No such position."))
        return Response([_version_json(row) for row in history.version_rows(versions)])


@extend_schema(
    tags=["history"],
    parameters=[
        OpenApiParameter("code", str, OpenApiParameter.PATH),
        OpenApiParameter("version_id", int, OpenApiParameter.PATH),
    ],
)
class PositionRestore(APIView):
    rules = {"POST": access.may_edit}

    @extend_schema(
        summary="Restore a version, as a new version (If-Match: the post's ETag, unless it was deleted)",
        request=None,
        responses={200: shapes.PositionSerializer, 202: shapes.ProposalSerializer},
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER)],
    )
    def post(self, request, code, version_id):
        version = None  # a deleted post has no ETag to name
        if Position.objects.filter(code=code).exists():
            version = expected_version(request, _readable(request, code).version)
        try:
            result = approval.restore(request.user, code, version_id, expected_version=version)
        except RestoreRefused as refusal:
            raise exceptions.NotFound(str(refusal)) from None
        except DocumentInvalid as refusal:
            raise exceptions.ValidationError(nested_errors(refusal.errors)) from None
        except VersionConflict as conflict:
            raise PreconditionFailed(str(conflict)) from None
        if isinstance(result, Proposal):
            return Response(proposal_json(result), status=status.HTTP_202_ACCEPTED)
        (saved,) = result.positions.values()
        return _document_response(request, _readable(request, saved.code))


@extend_schema(tags=["positions"], parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH)])
class PositionMove(APIView):
    rules = {"POST": access.may_edit}

    @extend_schema(
        summary="Move the post and everything under it (If-Match required)",
        request=shapes.MoveSerializer,
        responses=shapes.PositionSerializer,
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True)],
    )
    def post(self, request, code):
        position = _readable(request, code)
        version = expected_version(request, position.version)
        data = shapes.MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            move_position(code, data.validated_data["reports_to"], expected_version=version)
        except MoveRefused as refusal:
            raise exceptions.ValidationError({"reports_to": [str(refusal)]}) from None
        except VersionConflict as conflict:
            raise PreconditionFailed(str(conflict)) from None
        return _document_response(request, _readable(request, code))


def _assignment_json(assignment):
    return {
        "id": assignment.pk,
        "employee_number": assignment.person.employee_number,
        "name": assignment.person.name,
        "position": assignment.position.code,
        "kind": assignment.kind,
        "started_on": assignment.started_on,
        "ended_on": assignment.ended_on,
    }


def _people_errors(error):
    return exceptions.ValidationError(error.errors)


@extend_schema(tags=["people"], parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH)])
class PositionHolders(APIView):
    rules = {"GET": access.may_read, "POST": access.may_manage_people}

    @extend_schema(
        operation_id="positions_holders_list",
        summary="The post's current holders",
        responses=shapes.AssignmentSerializer(many=True),
    )
    def get(self, request, code):
        position = _readable(request, code)
        current = Assignment.objects.current().filter(position=position).select_related("person", "position")
        return Response([_assignment_json(a) for a in current], headers={"ETag": etag(position.version)})

    @extend_schema(
        summary="Assign a person to the post (If-Match: the post's ETag)",
        request=shapes.AssignmentSerializer,
        responses={201: shapes.AssignmentSerializer},
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True)],
    )
    def post(self, request, code):
        position = _readable(request, code)
        require_if_match(request, etag(position.version))
        data = shapes.AssignmentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = Person.objects.filter(employee_number=data.validated_data["employee_number"]).first()
        if person is None:
            raise exceptions.ValidationError({"employee_number": [_("Nobody has this employee number.")]})
        try:
            assignment = assign(
                person,
                Position.objects.get(pk=position.pk),
                kind=data.validated_data["kind"],
                started_on=data.validated_data.get("started_on"),
            )
        except PeopleError as error:
            raise _people_errors(error) from None
        version = Position.objects.filter(pk=position.pk).values_list("version", flat=True).get()
        return Response(_assignment_json(assignment), status=status.HTTP_201_CREATED, headers={"ETag": etag(version)})


@extend_schema(tags=["people"])
class AssignmentEnd(APIView):
    rules = {"POST": access.may_manage_people}

    @extend_schema(
        summary="End an assignment (If-Match: the post's ETag)",
        request=shapes.EndSerializer,
        responses=shapes.AssignmentSerializer,
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True)],
    )
    def post(self, request, pk):
        # An assignment whose post was deleted is a record of the past: there is nothing left to end.
        assignment = get_object_or_404(
            Assignment.objects.select_related("person", "position").filter(position__isnull=False), pk=pk
        )
        require_if_match(request, etag(assignment.position.version))
        data = shapes.EndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            assignment = end_assignment(assignment, ended_on=data.validated_data.get("ended_on"))
        except PeopleError as error:
            raise _people_errors(error) from None
        version = Position.objects.filter(pk=assignment.position_id).values_list("version", flat=True).get()
        return Response(_assignment_json(assignment), headers={"ETag": etag(version)})


def _person_json(person):
    posts = [
        {"position": a.position.code, "title": a.position.title, "kind": a.kind, "started_on": a.started_on}
        for a in person.assignments.current().select_related("position")
    ]
    return {
        "employee_number": person.employee_number,
        "name": person.name,
        "login": person.user.get_username() if person.user_id else None,
        "posts": posts,
    }


def _person_etag(data):
    return '"' + hashlib.sha1(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16] + '"'


def _login(username):
    from django.contrib.auth import get_user_model

    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise exceptions.ValidationError({"login": [_("There is no login “%(name)s”.") % {"name": username}]})
    return user


@extend_schema(tags=["people"])
class PersonList(APIView):
    rules = {"GET": access.may_manage_people, "POST": access.may_manage_people}

    @extend_schema(
        operation_id="people_list",
        summary="People, by employee number",
        parameters=[OpenApiParameter("q", str, description=_("Employee number or name"))],
        responses=shapes.PersonSerializer(many=True),
    )
    def get(self, request):
        people = Person.objects.select_related("user").order_by("employee_number")
        query = request.query_params.get("q", "").strip()[:100]
        if query:
            people = people.filter(Q(employee_number__icontains=query) | Q(name__icontains=query))
        return Response([_person_json(p) for p in people[:MAX_PAGE_SIZE]])

    @extend_schema(summary="Add a person", request=shapes.PersonSerializer, responses={201: shapes.PersonSerializer})
    def post(self, request):
        data = shapes.PersonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            person = save_person(
                None, employee_number=values["employee_number"], name=values["name"], user=_login(values.get("login"))
            )
        except PeopleError as error:
            raise _people_errors(error) from None
        body = _person_json(person)
        return Response(body, status=status.HTTP_201_CREATED, headers={"ETag": _person_etag(body)})


@extend_schema(tags=["people"], parameters=[OpenApiParameter("number", str, OpenApiParameter.PATH)])
class PersonDetail(APIView):
    rules = {"GET": access.may_manage_people, "PUT": access.may_manage_people, "PATCH": access.may_manage_people}

    def _person(self, number):
        person = Person.objects.select_related("user").filter(employee_number=number).first()
        if person is None:
            raise exceptions.NotFound(_("Nobody has this employee number."))
        return person

    @extend_schema(summary="A person and the posts they hold", responses=shapes.PersonSerializer)
    def get(self, request, number):
        body = _person_json(self._person(number))
        return Response(body, headers={"ETag": _person_etag(body)})

    def _write(self, request, number, partial):
        person = self._person(number)
        require_if_match(request, _person_etag(_person_json(person)))
        data = shapes.PersonSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            person = save_person(
                person,
                employee_number=values.get("employee_number", person.employee_number),
                name=values.get("name", person.name),
                user=_login(values["login"]) if "login" in values else person.user,
            )
        except PeopleError as error:
            raise _people_errors(error) from None
        body = _person_json(person)
        return Response(body, headers={"ETag": _person_etag(body)})

    @extend_schema(
        summary="Replace a person's details (If-Match required)",
        request=shapes.PersonSerializer,
        responses=shapes.PersonSerializer,
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True)],
    )
    def put(self, request, number):
        return self._write(request, number, partial=False)

    @extend_schema(
        summary="Change some of a person's details (If-Match required)",
        request=shapes.PersonSerializer,
        responses=shapes.PersonSerializer,
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True)],
    )
    def patch(self, request, number):
        return self._write(request, number, partial=True)


@extend_schema(tags=["positions"])
class Team(APIView):
    rules = {"GET": access.may_read}

    @extend_schema(
        operation_id="team_list",
        summary="The teams under the posts the signed-in person holds",
        responses=shapes.TeamSerializer(many=True),
    )
    def get(self, request):
        from positions.views.team import teams

        result = []
        for post, nodes in teams(request.user):
            members = []
            for node in nodes:
                members.append(
                    {
                        "code": node.code,
                        "title": node.title,
                        "level": node.level - post.level,
                        "holders": [
                            {"name": name, "kind": "primary" if primary else "concurrent"}
                            for name, primary in node.holders
                        ],
                        "headcount": node.headcount,
                        "filled": node.filled,
                        "vacant": max(node.open_headcount, 0),
                        "complete": not node.problems,
                        "problems": node.problems,
                        "url": reverse("positions:detail", args=[node.code]) if node.readable else None,
                    }
                )
            result.append({"post": post.code, "title": post.title, "members": members})
        return Response(result)


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@authentication_classes([])
@permission_classes([])
def not_found(request, *args, **kwargs):
    """Anything under /api/ that no route matches: JSON, never Django's HTML 404 page."""
    raise exceptions.NotFound(_("There is no such address in the API."))
