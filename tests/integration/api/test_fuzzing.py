"""Schemathesis sends every API operation requests generated from the OpenAPI description (valid ones and
deliberately broken ones: odd codes, control characters, wrong types, stale ETags) and checks each answer:
never a server error, only statuses the description documents for that operation, JSON of the documented
shape, the documented headers.

The run is bounded (MAX_EXAMPLES per operation, a fixed seed) so that it takes seconds, not the hours a
full run takes; the same checks run by hand over ~1,850 cases are reported in the hardening notes.
The requests go to the portal's WSGI application in-process, as an administrator with a token.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import CHECKS

MAX_EXAMPLES = 25
CHECKED = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
]
# Not checked: that every schema-valid request is accepted (a valid document may name a post that does not
# exist, or carry a stale ETag) and every schema-violating one refused (a PATCH may leave out what a schema
# marks required): the portal's rules are more than the shapes.


@pytest.fixture
def api_schema(seed, admin_user, settings, request):
    # schemathesis 4.32 renames the test after each operation through `_nodeid`, which pytest 9 no longer has.
    request.node._nodeid = request.node.nodeid
    settings.ALLOWED_HOSTS = ["localhost"]  # the host schemathesis's WSGI client sends
    # As Django's test client does: a request's start and end must not close the test transaction's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    token = Token.objects.create(user=admin_user)
    headers = {"Authorization": f"Token {token.key}"}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application(), headers=headers)
    schema.config.headers = headers
    yield schema
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_answers_as_documented_and_never_with_a_server_error(case):
    checks = [check for check in CHECKS.get_all() if check.__name__ in CHECKED]
    assert len(checks) == len(CHECKED)
    case.call_and_validate(checks=checks)
