"""Policy files: validated with errors that point at the line, layered in order, compiled once."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from codeward.errors import PolicyError
from codeward.policy.loader import PolicySource, load_policy, pack_names, parse_policy_file
from codeward.policy.schema import json_schema

MINIMAL = 'codeward: 1\nid: team\nversion: "1"\n'


def write(tmp_path: Path, text: str, name: str = "policy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        load_policy([path])
    return caught.value.problems


def test_every_builtin_pack_loads_and_validates_against_the_published_schema() -> None:
    schema = json_schema()
    assert set(pack_names()) >= {"default", "security-team", "education", "regulated"}
    for pack in pack_names():
        source = PolicySource.resolve(f"pack:{pack}")
        jsonschema.validate(yaml.safe_load(source.text), schema)
        assert load_policy([f"pack:{pack}"]).layers[-1].startswith(f"{pack}@")


def test_the_schema_is_json_and_rejects_unknown_fields() -> None:
    schema = json.loads(json.dumps(json_schema()))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"codeward": 1, "id": "x", "colour": "red"}, schema)


def test_a_wrong_type_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "rules:\n  - id: r1\n    action: maybe\n")
    problems = problems_of(path)
    assert any(p.startswith(f"{path}:6:") and "rules.0.action" in p for p in problems), problems


def test_a_cel_typo_is_a_load_error_with_file_and_line(tmp_path: Path) -> None:
    text = MINIMAL + "rules:\n  - id: r1\n    match:\n      when: actor.rolez == 1\n    action: block\n"
    problems = problems_of(write(tmp_path, text))
    assert any(":7:" in p and "rolez" in p for p in problems), problems


def test_an_unknown_name_in_a_condition_is_rejected(tmp_path: Path) -> None:
    text = MINIMAL + "rules:\n  - id: r1\n    match:\n      when: user.admin\n    action: block\n"
    problems = problems_of(write(tmp_path, text))
    assert any("unknown name 'user'" in p for p in problems), problems


def test_a_condition_must_be_boolean(tmp_path: Path) -> None:
    text = MINIMAL + "rules:\n  - id: r1\n    match:\n      when: risk + 1\n    action: block\n"
    assert any("not true or false" in p for p in problems_of(write(tmp_path, text)))


def test_an_unknown_capability_is_rejected_with_its_line(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + "rules:\n  - id: r1\n    match:\n      capabilities: [fs.delete.recursive, fs.teleport]\n    action: block\n"
    )
    problems = problems_of(write(tmp_path, text))
    assert any(":7:" in p and "fs.teleport" in p for p in problems), problems


def test_a_pattern_re2_cannot_compile_is_rejected(tmp_path: Path) -> None:
    text = MINIMAL + "deny:\n  - id: d1\n    pattern: '(a)\\1'\n"
    problems = problems_of(write(tmp_path, text))
    assert any("RE2 cannot compile" in p and ":6:" in p for p in problems), problems


def test_duplicate_keys_and_duplicate_rule_ids_are_errors(tmp_path: Path) -> None:
    duplicate_key = write(tmp_path, MINIMAL + "fail: open\nfail: closed\n", "a.yaml")
    assert any("'fail' appears twice" in p for p in problems_of(duplicate_key))
    rules = "rules:\n  - {id: same, action: block}\n  - {id: same, action: allow}\n"
    assert any(
        "duplicate rule id 'same'" in p for p in problems_of(write(tmp_path, MINIMAL + rules, "b.yaml"))
    )


def test_yaml_syntax_errors_name_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "rules: [\n  - oops: {\n")
    with pytest.raises(PolicyError) as caught:
        parse_policy_file(PolicySource.resolve(path))
    assert "YAML syntax error" in str(caught.value)


def test_a_missing_file_and_an_unknown_pack_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="no such policy file"):
        load_policy([tmp_path / "nope.yaml"])
    with pytest.raises(PolicyError, match="unknown policy pack 'nope'; the packs are"):
        load_policy(["pack:nope"])


def test_the_default_pack_is_always_the_bottom_layer(tmp_path: Path) -> None:
    policy = load_policy([write(tmp_path, MINIMAL)])
    assert policy.layers == ["default@2026.11.1", "team@1"]
    assert policy.rule("destroy-filesystem") is not None


def test_a_later_layer_replaces_a_rule_with_the_same_id(tmp_path: Path) -> None:
    text = MINIMAL + "rules:\n  - id: scanning\n    match: {capabilities: [net.scan]}\n    action: allow\n"
    policy = load_policy([write(tmp_path, text)])
    scanning = [r for r in policy.rules if r.rule.id == "scanning"]
    assert len(scanning) == 1 and scanning[0].layer.endswith("policy.yaml")


def test_a_final_rule_cannot_be_replaced(tmp_path: Path) -> None:
    org = write(
        tmp_path,
        "codeward: 1\nid: org\nrules:\n  - {id: no-scan, final: true, action: block, match: {capabilities: [net.scan]}}\n",
        "org.yaml",
    )
    team = write(tmp_path, "codeward: 1\nid: team\nrules:\n  - {id: no-scan, action: allow}\n", "team.yaml")
    with pytest.raises(PolicyError) as caught:
        load_policy([org, team])
    assert any("team.yaml:4" in p and "final in" in p for p in caught.value.problems), caught.value.problems


def test_a_clearance_for_an_intent_no_layer_lists_is_an_error(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, MINIMAL + "clearances:\n  wizardry: [admin]\n"))
    assert any("wizardry" in p for p in problems)


def test_variables_are_usable_in_conditions(tmp_path: Path) -> None:
    text = MINIMAL + (
        "variables:\n  prod: environment == 'production'\n"
        "rules:\n  - id: r1\n    match: {when: variables.prod}\n    action: review\n"
    )
    assert load_policy([write(tmp_path, text)]).variables["prod"].source == "environment == 'production'"


def test_the_revision_changes_with_any_layer_text(tmp_path: Path) -> None:
    first = load_policy([write(tmp_path, MINIMAL)]).revision
    second = load_policy([write(tmp_path, MINIMAL + "description: changed\n")]).revision
    assert first != second
