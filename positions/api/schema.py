"""What the OpenAPI description says beyond the views' own annotations: the error answers and the session login.

drf-spectacular describes each operation's success from the views' `extend_schema`. Every operation can also
answer 400, 401 and 403, and 404, 412 and 428 where they apply, in DRF's JSON shapes; `AutoSchema` adds them
from what the operation is (its path parameters, its `page`, its If-Match header), so the views stay as they
are. `REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]` names it, which also loads the session login's description.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiParameter


class PortalSessionScheme(SessionScheme):
    """The API's session login (DRF's, with its CSRF refusal in the user's language)."""

    target_class = "positions.api.permissions.SessionAuthentication"

    def get_security_definition(self, auto_schema):
        return {
            **super().get_security_definition(auto_schema),
            "description": _(
                "The browser's session after signing in at /accounts/login/. Writes also send the csrftoken "
                "cookie's value in the X-CSRFToken header."
            ),
        }


def _schemas():
    """The error shapes, as components: {detail} for most, {field: [messages]} (nested) for bad input."""
    return {
        "Error": {
            "type": "object",
            "properties": {"detail": {"type": "string", "description": _("What is wrong, in the user's language")}},
            "required": ["detail"],
        },
        "FieldErrors": {
            "type": "object",
            "description": _(
                'Messages at the field they concern, in the user\'s language: {"title": ["…"]}; rows of a '
                'section as lists, one object per row ({"kpis": [{}, {"weight": ["…"]}]}); a nested key as '
                'an object ({"career": {"promotes_to": ["…"]}}); the document itself as non_field_errors.'
            ),
            "additionalProperties": {
                "anyOf": [
                    {"type": "array", "items": {"type": "string"}},
                    {"type": "array", "items": {"$ref": "#/components/schemas/FieldErrors"}},
                    {"$ref": "#/components/schemas/FieldErrors"},
                ]
            },
        },
    }


def _responses():
    error = {"$ref": "#/components/schemas/Error"}
    bad_input = {"anyOf": [{"$ref": "#/components/schemas/FieldErrors"}, error]}
    return {
        "400": (
            _(
                "Bad input, at the field it concerns; or a body that is not JSON ({detail}). A path, parameter or "
                "field holding a control character (U+0000 and the like) is refused here too, named by its name."
            ),
            bad_input,
        ),
        "401": (_("Not signed in: no session and no valid token (see WWW-Authenticate)."), error),
        "403": (
            _("Signed in without a role that may do this; or a session's write without its CSRF token."),
            error,
        ),
        "404": (_("No such position, person, version or page, or a draft the caller may not read."), error),
        "412": (_("If-Match names an ETag that is no longer current: someone changed this since it was read."), error),
        "428": (_("If-Match is missing: a write must name the ETag it read."), error),
    }


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's AutoSchema, with the error answers each operation can give."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for name, schema in _schemas().items():
            self.registry.register_on_missing(
                ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema)
            )
        described = _responses()
        for status in self.error_statuses():
            description, schema = described[status]
            responses.setdefault(
                status, {"description": description, "content": {"application/json": {"schema": schema}}}
            )
        return responses

    def error_statuses(self):
        """The error statuses this operation can answer with."""
        statuses = ["400", "401", "403"]
        overrides = [p for p in self.get_override_parameters() if isinstance(p, OpenApiParameter)]
        if "{" in self.path or any(p.name == "page" for p in overrides):
            statuses.append("404")
        if any(p.name == "If-Match" and p.location == OpenApiParameter.HEADER for p in overrides):
            statuses += ["412", "428"]
        return statuses
