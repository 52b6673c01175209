"""A bounded schemathesis run (issue 9): every operation of the API's own OpenAPI schema, as an enterprise clerk
with a token, on generated requests; no answer is a 5xx and every answer conforms to the schema (status code
documented, body of the documented shape, content type), on valid requests and on invalid ones. A minute or so in CI
(SCHEMATHESIS_EXAMPLES per operation and mode)."""

from __future__ import annotations

import os

import pytest
import schemathesis
import time_machine
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable

from projects.services import record_start
from tests.factories import region

from .test_api_support import SUBMIT_DAY, client_for, isolate

pytestmark = pytest.mark.django_db

#: What the issue asks: no 5xx, and conformance to the schema (status codes, content types, bodies, headers).
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.response_headers_conformance,
]
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "100"))


@pytest.fixture
def api_schema(clerk_a):
    from django.core.wsgi import get_wsgi_application

    client = client_for(clerk_a)
    document = client.get("/api/schema/?format=json").json()
    schema = schemathesis.openapi.from_dict(document)
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    schema.app = get_wsgi_application()
    # as Django's test client does: the test's transaction must survive each request (its data is the test's)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schema
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_no_operation_answers_5xx_or_breaks_the_schema(
    api_schema, clerk_a, firm_a, guangxi, settings, tmp_path, capsys
):
    isolate(settings, tmp_path)
    from rest_framework.authtoken.models import Token

    with time_machine.travel(SUBMIT_DAY, tick=True):
        record = record_start(
            historical=True,
            enterprise=firm_a,
            campaign=guangxi,
            user=clerk_a,
            prj_name="邕江大桥",
            county=region("450103"),
        )
        token = Token.objects.get_or_create(user=clerk_a)[0].key
        headers = {"Authorization": f"Token {token}"}
        failures: list[str] = []
        calls = 0
        modes = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
        for operation, mode in ((r.ok(), m) for r in api_schema.get_all_operations() for m in modes):

            @given(case=operation.as_strategy(mode, path_parameters={"pk": record.pk}))
            @hypothesis_settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
                derandomize=True,
            )
            def run(case):
                nonlocal calls
                response = case.call(headers=headers)
                calls += 1
                if response.status_code >= 500:
                    failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")
                    return
                try:
                    case.validate_response(response, checks=CHECKS, headers=headers)
                except Exception as exc:
                    failures.append(f"{case.method} {case.formatted_path} {response.status_code}: {str(exc)[:400]}")

            try:
                run()
            except Unsatisfiable:  # nothing of this operation can be made invalid but its (fixed) path: nothing to send
                assert mode == schemathesis.GenerationMode.NEGATIVE
    with capsys.disabled():
        print(f"\nschemathesis: {calls} requests, {len(failures)} failures")
    assert not failures, "\n".join(sorted(set(failures))[:30])
