"""Load, validate and layer policy files; every problem is reported as `file:line: message`.

Layering: the built-in `default` pack is always the bottom layer; each further file (organisation,
team, project, session) is merged over it in order. A rule with the id of an earlier rule replaces
it, unless the earlier one is `final`. Final rules are floors that always apply; among the other
rules the first match decides, read from the top layer down.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from codeward.errors import PolicyError
from codeward.model import Action, Mode, Severity
from codeward.policy.cel import Condition
from codeward.policy.schema import (
    HookPolicy,
    Identity,
    ListEntry,
    PolicyFile,
    Reviewers,
    Rule,
    SandboxPolicy,
    SessionPolicy,
    Threshold,
)

PACK_PREFIX = "pack:"
BASE_PACK = "pack:default"
MAX_POLICY_NODES = 100_000
"""A policy file larger than this once its YAML aliases are expanded is rejected before it is read."""


def pack_names() -> list[str]:
    folder = resources.files("codeward.policy") / "builtin"
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


@dataclass(frozen=True, slots=True)
class PolicySource:
    """The text of one layer and where it came from."""

    name: str
    text: str

    @classmethod
    def resolve(cls, reference: str | Path) -> PolicySource:
        reference_text = str(reference)
        if reference_text.startswith(PACK_PREFIX):
            pack = reference_text[len(PACK_PREFIX) :]
            resource = resources.files("codeward.policy") / "builtin" / f"{pack}.yaml"
            if not resource.is_file():
                raise PolicyError(f"unknown policy pack {pack!r}; the packs are: {', '.join(pack_names())}")
            return cls(reference_text, resource.read_text(encoding="utf-8"))
        path = Path(reference_text)
        try:
            return cls(str(path), path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise PolicyError(f"{path}: no such policy file") from None
        except (OSError, UnicodeDecodeError) as error:
            raise PolicyError(f"{path}: cannot read: {error}") from None


@dataclass(slots=True)
class CompiledRule:
    rule: Rule
    layer: str
    when: Condition | None


@dataclass(slots=True)
class CompiledListEntry:
    entry: ListEntry
    layer: str
    regex: Any


@dataclass(slots=True)
class Policy:
    """A validated, layered, compiled policy, ready to evaluate."""

    id: str
    version: str
    revision: str
    """sha256 over every layer's text: the exact policy a decision was made under."""
    layers: list[str]
    intents: dict[str, str]
    clearances: dict[str, frozenset[str]]
    unverified_roles: str
    reviewers: list[Reviewers]
    identity: Identity
    variables: dict[str, Condition]
    defaults: dict[Mode, dict[Severity, Action]]
    rules: list[CompiledRule]
    allow: list[CompiledListEntry]
    deny: list[CompiledListEntry]
    thresholds: list[Threshold]
    session: SessionPolicy
    sandbox: SandboxPolicy
    sandbox_when: Condition | None
    fail: str
    files: dict[str, PolicyFile] = field(default_factory=dict)
    hooks: HookPolicy = field(default_factory=HookPolicy)

    def rule(self, rule_id: str) -> CompiledRule | None:
        return next((r for r in self.rules if r.rule.id == rule_id), None)

    def roles_cleared_for(self, intent: str) -> frozenset[str]:
        return self.clearances.get(intent, frozenset())

    def reviewer_roles(self, capability: str) -> frozenset[str]:
        from codeward.capabilities import capability_matches

        roles: set[str] = set()
        for reviewers in self.reviewers:
            if any(capability_matches(p, capability) for p in reviewers.capabilities):
                roles.update(reviewers.roles)
        return frozenset(roles)


def load_policy(references: list[str | Path] | tuple[str | Path, ...] = ()) -> Policy:
    """Load the default pack plus `references` in order (paths or `pack:NAME`), merged and compiled."""
    ordered: list[str | Path] = [BASE_PACK]
    for reference in references:
        if str(reference) != BASE_PACK:
            ordered.append(reference)
    return compile_layers([PolicySource.resolve(reference) for reference in ordered])


def parse_policy_file(source: PolicySource) -> PolicyFile:
    """Validate one file; raise PolicyError listing every problem with its line."""
    return _parse(source)[1]


def _parse(source: PolicySource) -> tuple[yaml.Node, PolicyFile]:
    node = _compose(source)
    data = _to_python(source, node)
    if not isinstance(data, dict):
        raise PolicyError(f"{source.name}:1: a policy file is a YAML mapping")
    try:
        parsed = PolicyFile.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            location = ".".join(str(part) for part in item["loc"])
            line = _line_of(node, item["loc"])
            problems.append(f"{source.name}:{line}: {location or '(top)'}: {item['msg']}")
        raise PolicyError(f"{source.name}: invalid policy", problems) from None
    _check_file(source, node, parsed)
    return node, parsed


def compile_layers(sources: list[PolicySource]) -> Policy:
    parsed = [(source, *_parse(source)) for source in sources]
    files = [(source, policy) for source, _, policy in parsed]
    problems: list[str] = []
    pending: list[_Pending] = []

    intents: dict[str, str] = {}
    clearances: dict[str, frozenset[str]] = {}
    unverified = "ignore"
    reviewers: list[Reviewers] = []
    identity = Identity()
    variables: dict[str, Condition] = {}
    defaults: dict[Mode, dict[Severity, Action]] = {Mode.GENERATE: {}, Mode.EXECUTE: {}}
    rules_by_id: dict[str, CompiledRule] = {}
    rule_order: list[str] = []
    allow: list[CompiledListEntry] = []
    deny: list[CompiledListEntry] = []
    thresholds: list[Threshold] = []
    session = SessionPolicy()
    sandbox = SandboxPolicy()
    fail = "confirm"
    hooks = HookPolicy()

    for source, node, policy in parsed:
        intents.update(policy.intents)
        for intent, roles in policy.clearances.items():
            clearances[intent] = frozenset(roles)
        if policy.unverified_roles is not None:
            unverified = policy.unverified_roles
        reviewers = list(policy.reviewers) + reviewers
        if policy.identity is not None:
            identity = policy.identity
        for name, expression in policy.variables.items():
            variables[name] = _condition(
                source, node, ("variables", name), expression, problems, pending, boolean=False
            )
        if policy.defaults is not None:
            defaults[Mode.GENERATE].update(policy.defaults.generate)
            defaults[Mode.EXECUTE].update(policy.defaults.execute)
        for index, rule in enumerate(policy.rules):
            earlier = rules_by_id.get(rule.id)
            if earlier is not None and earlier.rule.final:
                problems.append(
                    f"{source.name}:{_line_of(node, ('rules', index, 'id'))}: rule {rule.id!r} is final "
                    f"in {earlier.layer} and cannot be replaced"
                )
                continue
            when = None
            if rule.match.when:
                when = _condition(
                    source, node, ("rules", index, "match", "when"), rule.match.when, problems, pending
                )
            rules_by_id[rule.id] = CompiledRule(rule=rule, layer=source.name, when=when)
            if rule.id in rule_order:
                rule_order.remove(rule.id)
            rule_order.append(rule.id)
        for key, entries, target in (("allow", policy.allow, allow), ("deny", policy.deny, deny)):
            for index, entry in enumerate(entries):
                regex = _regex(source, node, (key, index, "pattern"), entry.pattern, problems)
                if regex is not None:
                    target.append(CompiledListEntry(entry=entry, layer=source.name, regex=regex))
        thresholds.extend(policy.thresholds)
        if policy.session is not None:
            session = policy.session
        if policy.sandbox is not None:
            sandbox = policy.sandbox
        if policy.fail is not None:
            fail = policy.fail
        if policy.hooks is not None:
            hooks = policy.hooks

    sandbox_when = None
    if sandbox.when:
        sandbox_when = _condition(files[-1][0], None, ("sandbox", "when"), sandbox.when, problems, pending)

    _check_conditions(variables, pending, problems)
    for intent in clearances:
        if intent not in intents:
            problems.append(f"clearance for {intent!r}, which no layer lists under `intents`")
    if problems:
        raise PolicyError("invalid policy", problems)

    layer_rank = {source.name: rank for rank, (source, _) in enumerate(files)}
    compiled = [rules_by_id[rule_id] for rule_id in rule_order]  # layer order, then file order
    finals = [r for r in compiled if r.rule.final]
    others = sorted((r for r in compiled if not r.rule.final), key=lambda r: -layer_rank[r.layer])
    ordered_rules = finals + others  # sorted() is stable: file order holds within a layer

    digest = hashlib.sha256()
    for source, _ in files:
        digest.update(source.name.encode() + b"\0" + source.text.encode() + b"\0")
    top = files[-1][1]
    return Policy(
        id=top.id,
        version=top.version,
        revision=digest.hexdigest()[:16],
        layers=[f"{policy.id}@{policy.version}" for _, policy in files],
        intents=intents,
        clearances=clearances,
        unverified_roles=unverified,
        reviewers=reviewers,
        identity=identity,
        variables=variables,
        defaults=defaults,
        rules=ordered_rules,
        allow=allow,
        deny=deny,
        thresholds=thresholds,
        session=session,
        sandbox=sandbox,
        sandbox_when=sandbox_when,
        fail=fail,
        files={source.name: policy for source, policy in files},
        hooks=hooks,
    )


@dataclass(slots=True)
class _Pending:
    """A compiled condition waiting to be checked against a sample request once all variables are known."""

    condition: Condition
    where: str
    boolean: bool


def _condition(
    source: PolicySource,
    node: yaml.Node | None,
    location: tuple[str | int, ...],
    expression: str,
    problems: list[str],
    pending: list[_Pending],
    *,
    boolean: bool = True,
) -> Condition:
    line = _line_of(node, location) if node is not None else "?"
    where = f"{source.name}:{line}: {'.'.join(map(str, location))}"
    try:
        condition = Condition(expression)
    except PolicyError as error:
        problems.append(f"{where}: {error}")
        return Condition("false")
    pending.append(_Pending(condition, where, boolean))
    return condition


def _check_conditions(variables: dict[str, Condition], pending: list[_Pending], problems: list[str]) -> None:
    from codeward.policy.evaluate import sample_activation

    sample = sample_activation()
    values: dict[str, Any] = {}
    sample["variables"] = values
    for name, variable in variables.items():
        try:
            values[name] = variable.value(sample)
        except Exception:
            values[name] = False
    for item in pending:
        try:
            item.condition.check(sample, boolean=item.boolean)
        except PolicyError as error:
            problems.append(f"{item.where}: {error}")


def _regex(
    source: PolicySource, node: yaml.Node, location: tuple[str | int, ...], pattern: str, problems: list[str]
) -> Any:
    import re2

    try:
        return re2.compile(pattern)
    except Exception as error:
        problems.append(
            f"{source.name}:{_line_of(node, location)}: {'.'.join(map(str, location))}: "
            f"RE2 cannot compile {pattern!r}: {error} (backreferences and lookaround are not supported)"
        )
        return None


def _check_file(source: PolicySource, node: yaml.Node, policy: PolicyFile) -> None:
    """Checks beyond the schema: references to names that must exist."""
    from codeward import capabilities

    problems: list[str] = []
    seen: set[str] = set()
    for index, rule in enumerate(policy.rules):
        if rule.id in seen:
            problems.append(
                f"{source.name}:{_line_of(node, ('rules', index, 'id'))}: duplicate rule id {rule.id!r}"
            )
        seen.add(rule.id)
        for position, pattern in enumerate(rule.match.capabilities):
            if not capabilities.matching(pattern):
                problems.append(
                    f"{source.name}:{_line_of(node, ('rules', index, 'match', 'capabilities', position))}: "
                    f"{pattern!r} matches no capability (see `codeward capabilities`)"
                )
    for key, entries in (("allow", policy.allow), ("deny", policy.deny)):
        ids: set[str] = set()
        for index, entry in enumerate(entries):
            if entry.id in ids:
                problems.append(
                    f"{source.name}:{_line_of(node, (key, index, 'id'))}: duplicate {key} id {entry.id!r}"
                )
            ids.add(entry.id)
    if problems:
        raise PolicyError(f"{source.name}: invalid policy", problems)


def _compose(source: PolicySource) -> yaml.Node:
    try:
        node = yaml.compose(source.text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(error, "problem", None) or str(error)
        raise PolicyError(f"{source.name}:{line}: YAML syntax error: {problem}") from None
    except RecursionError:
        raise PolicyError(f"{source.name}:1: the policy is nested too deeply to read") from None
    if node is None:
        raise PolicyError(f"{source.name}:1: the policy file is empty")
    size = _expanded_size(node, {})
    if size > MAX_POLICY_NODES:
        raise PolicyError(
            f"{source.name}:1: the policy has {size:,} YAML nodes once its aliases (`*name`) are expanded; "
            f"the limit is {MAX_POLICY_NODES:,}"
        )
    duplicates = list(_duplicate_keys(node))
    if duplicates:
        raise PolicyError(
            f"{source.name}: duplicate keys",
            [f"{source.name}:{line}: key {key!r} appears twice in one mapping" for key, line in duplicates],
        )
    return node


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many nodes `node` becomes once every alias is expanded, counting each shared node once per
    use but computing it once, so that a 'billion laughs' file is measured without being expanded."""
    known = sizes.get(id(node))
    if known is not None:
        return known
    sizes[id(node)] = 1  # an alias of a node still being measured (a cycle) counts once
    size = 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            size += _expanded_size(key_node, sizes) + _expanded_size(value_node, sizes)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            size += _expanded_size(item, sizes)
    sizes[id(node)] = size
    return size


def _duplicate_keys(node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                yield key, key_node.start_mark.line + 1
            seen.add(key)
            yield from _duplicate_keys(value_node)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _duplicate_keys(item)


def _to_python(source: PolicySource, node: yaml.Node) -> Any:
    try:
        return yaml.safe_load(source.text)
    except yaml.YAMLError as error:  # pragma: no cover - compose already parsed it
        raise PolicyError(f"{source.name}: {error}") from None


def _line_of(node: yaml.Node | None, location: tuple[Any, ...] | list[Any]) -> int:
    """The 1-based line of the deepest node that `location` reaches."""
    if node is None:
        return 1
    current = node
    for part in location:
        child = None
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                if str(key_node.value) == str(part):
                    child = value_node
                    break
        elif isinstance(current, yaml.SequenceNode) and isinstance(part, int) and part < len(current.value):
            child = current.value[part]
        if child is None:
            break
        current = child
    return int(current.start_mark.line) + 1
