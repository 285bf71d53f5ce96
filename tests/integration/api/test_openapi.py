"""The OpenAPI description tells the whole truth: every error answer an operation can give, with its JSON
shape, both ways to sign in, no generator warnings; and `check --deploy` says what README says it does."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from jsonschema import Draft202012Validator

from tests.integration.test_bad_input import send

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def spec(viewer_client, seed):
    return viewer_client.get("/api/openapi.json").json()


def operations(spec):
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def takes_if_match(operation):
    return any(p["in"] == "header" and p["name"] == "If-Match" for p in operation.get("parameters", []))


def test_the_served_description_is_valid_and_signs_in_both_ways(spec):
    from openapi_spec_validator import validate

    validate(spec)
    schemes = spec["components"]["securitySchemes"]
    assert schemes["cookieAuth"] == {
        "type": "apiKey",
        "in": "cookie",
        "name": "sessionid",
        "description": schemes["cookieAuth"]["description"],
    }
    assert "X-CSRFToken" in schemes["cookieAuth"]["description"]
    assert schemes["tokenAuth"]["in"] == "header" and schemes["tokenAuth"]["name"] == "Authorization"
    for path, _method, operation in operations(spec):
        assert {"cookieAuth": []} in operation["security"] and {"tokenAuth": []} in operation["security"], path


def test_every_operation_documents_the_errors_it_can_give(spec):
    seen = set()
    for path, method, operation in operations(spec):
        expected = {"400", "401", "403"}
        if "{" in path or any(p["name"] == "page" for p in operation.get("parameters", [])):
            expected.add("404")
        if takes_if_match(operation):
            expected |= {"412", "428"}
        errors = {status for status in operation["responses"] if status >= "400"}
        assert errors == expected, (method, path, errors)
        for status in errors:
            response = operation["responses"][status]
            assert response["description"]
            assert "schema" in response["content"]["application/json"]
        seen |= errors
    assert seen == {"400", "401", "403", "404", "412", "428"}
    assert {"Error", "FieldErrors"} <= set(spec["components"]["schemas"])


def validator_for(spec, path, method, status):
    """A JSON Schema validator of the body `method path` is documented to give with `status`."""
    schema = spec["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    return Draft202012Validator({**schema, "components": spec["components"]})


def test_the_errors_the_api_gives_have_their_documented_shape(spec, seed, hr_user, viewer_user):
    hr = Client()
    hr.force_login(hr_user)
    viewer = Client()
    viewer.force_login(viewer_user)
    etag = hr.get("/api/positions/DPT-YW-03/")["ETag"]
    detail, position = "/api/positions/{code}/", "/api/positions/DPT-YW-03/"
    answers = [
        (detail, "patch", send(hr, "patch", position, {"kpis": [{"responsibility": "甲", "weight": -1}]}, etag)),
        (detail, "patch", send(hr, "patch", position, {"career": {"promotes_to": [5, {}]}}, etag)),
        (detail, "patch", hr.patch(position, "{", content_type="application/json", HTTP_IF_MATCH=etag)),
        (detail, "patch", send(hr, "patch", position, {"title": "甲\x00"}, etag)),
        ("/api/positions/", "get", hr.get("/api/positions/?page=x")),
        (detail, "get", Client().get(position)),
        (detail, "patch", send(viewer, "patch", position, {"title": "甲"}, etag)),
        (detail, "get", hr.get("/api/positions/NO-SUCH/")),
        ("/api/positions/", "get", hr.get("/api/positions/?page=99")),
        (detail, "patch", send(hr, "patch", position, {"title": "甲"}, '"0"')),
        (detail, "patch", send(hr, "patch", position, {"title": "甲"})),
    ]
    statuses = []
    for path, method, response in answers:
        status = str(response.status_code)
        statuses.append(status)
        errors = list(validator_for(spec, path, method, status).iter_errors(response.json()))
        assert not errors, (path, method, status, response.json(), errors[0].message)
    assert statuses == ["400"] * 5 + ["401", "403", "404", "404", "412", "428"]


def test_generating_the_description_gives_no_warning(tmp_path, db):
    # --fail-on-warn raises on any warning: authenticators without a description, enum names by a hash, ...
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "openapi.yaml"))
    assert "openapi: 3.1.0" in (tmp_path / "openapi.yaml").read_text()


def test_check_deploy_leaves_only_the_hsts_and_ssl_redirect_advice():
    """README: `manage.py check --deploy` in production leaves only the HSTS/SSL-redirect advice."""
    # A production environment as README's deployment section sets it, and nothing of the test run's.
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/"),
        "LANG": "C.UTF-8",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "hr.example.com",
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert sorted(set(re.findall(r"\(([a-z_]+\.[A-Z]\d{3})\)", output))) == ["security.W004", "security.W008"], output
    assert "2 issues" in output
