"""Contract fuzzing: schemathesis generates requests from /openapi.json against a real server.

For every operation and each role's token: no 5xx, and every response (status, headers,
body) matches what the schema documents.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.driver import bearer
from tests.processes import free_port, settings_env, studyforge, wait_http

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def server(settings, api, tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("fuzz") / "api.log"
    with studyforge(["serve", "--port", str(port)], settings_env(settings), log):
        wait_http(f"http://127.0.0.1:{port}/healthz")
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
async def tokens(api):
    parent, _ = await api.parent()
    student, _ = await api.child(parent)
    return {"admin": api.admin_token, "parent": parent, "student": student}


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
EXAMPLES = 25


def test_contract(server, tokens):
    schema = schemathesis.openapi.from_url(f"{server}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        # Event streams stay open until their job is final; their contract is tested elsewhere.
        if operation.path.endswith("/events"):
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            for role in ("admin", "parent", "student"):
                case.call_and_validate(base_url=server, headers=bearer(tokens[role]),
                                       checks=CHECKS, timeout=10)

        run()
