"""schemathesis against the service's own OpenAPI schema: generated requests, valid and invalid, to
every operation, as a reviewer and anonymously. No answer is a 5xx; every status and body is one the
schema documents (the errors included); invalid data is refused. Bounded: a fixed number of examples
per operation and mode."""

from __future__ import annotations

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from codeward import Actor, Guard
from codeward.adapters.http.app import create_app
from codeward.adapters.http.service import Service, ServiceConfig
from codeward.identity import IdentityConfig, key_hash
from codeward.store.location import locate
from codeward.store.sql import SqlStore
from servicecases import HELD_SNIPPET, write_policy

EXAMPLES_PER_OPERATION = 25
REVIEWER_KEY = "cwk_rita_" + "r" * 30
MINIMUM_OPERATIONS = {GenerationMode.POSITIVE: 17, GenerationMode.NEGATIVE: 10}
"""Operations fuzzed per mode: a schema that lost operations would make these tests pass vacuously."""
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    status_code_conformance,
    negative_data_rejection,
]


@pytest.fixture(scope="module")
def service_app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    directory = tmp_path_factory.mktemp("schemathesis")
    policy = write_policy(directory)
    store = SqlStore.open(locate(f"sqlite:///{directory / 'codeward.db'}"))
    store.add_api_key(
        key_hash(REVIEWER_KEY), Actor(id="rita", roles=["reviewer"]), label="rita", created_by="test"
    )
    guard = Guard([str(policy)], sandbox_mode="never", store=store)
    service = Service(
        ServiceConfig(policies=[str(policy)]), store=store, guard=guard, identity=IdentityConfig()
    )
    app = create_app(service=service)
    from fastapi.testclient import TestClient

    with TestClient(app) as client:  # something on the record, so that lists and the chain are not empty
        for content in ("ls -la", HELD_SNIPPET, "echo STOP_HERE", "rm -rf /"):
            client.post("/v1/check", json={"subject": {"kind": "command", "content": content}})
    return app


@pytest.fixture(scope="module")
def api_schema(service_app: FastAPI) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", service_app)


_bounded = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


def fuzz(api_schema: schemathesis.BaseSchema, headers: dict[str, str], mode: GenerationMode) -> int:
    """Every operation, `EXAMPLES_PER_OPERATION` generated cases each; how many operations ran.
    (schemathesis's own pytest parametrization does not run under this pytest, so the loop is ours.)"""
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy(mode))
        @_bounded
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Unsatisfiable:
            if mode is GenerationMode.NEGATIVE:
                continue  # every input the schema allows is valid here (e.g. one string in the path)
            raise
        except BaseException as error:
            raise AssertionError(f"{operation.label} ({mode.value} data): {error}") from error
        operations += 1
    return operations


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda mode: mode.value)
def test_a_reviewer_gets_no_5xx_and_only_documented_answers(
    api_schema: schemathesis.BaseSchema, mode: GenerationMode
) -> None:
    assert fuzz(api_schema, {"Authorization": f"Bearer {REVIEWER_KEY}"}, mode) >= MINIMUM_OPERATIONS[mode]


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda mode: mode.value)
def test_an_anonymous_caller_gets_no_5xx_and_only_documented_answers(
    api_schema: schemathesis.BaseSchema, mode: GenerationMode
) -> None:
    assert fuzz(api_schema, {}, mode) >= MINIMUM_OPERATIONS[mode]


def test_the_schema_has_the_operations_the_suite_exercises(api_schema: schemathesis.BaseSchema) -> None:
    """A schema that lost its operations would make the tests above pass vacuously."""
    paths = set(api_schema.raw_schema["paths"])
    assert {"/v1/check", "/v1/decisions", "/v1/reviews/{review_id}/approve", "/v1/audit/verify"} <= paths
    assert len(paths) >= 15
