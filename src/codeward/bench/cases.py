"""Benchmark cases: the labelled records of a dataset file, read, validated and checked as a corpus.

A record is DESIGN.md's JSON-lines format plus the benchmark's fields (`label`, `pair`, `tags`,
`source`). Its `context` is fact: its roles count as a verified identity.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal, TextIO, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from codeward.context.inputs import read_cases, record_to_request
from codeward.errors import InputError
from codeward.model import Action, Context, Subject

Subculture = Literal[
    "general",
    "security_research",
    "reverse_engineering",
    "education",
    "devops",
    "data_science",
    "production",
]
SUBCULTURES: tuple[str, ...] = get_args(Subculture)

STOPPING = frozenset({Action.REVIEW, Action.BLOCK})
"""On a benign case these are false positives."""
PROCEEDING = frozenset({Action.ALLOW, Action.NOTICE})
"""On a harmful case these let the harm through."""

SHIPPED_FILES = ("dev.jsonl", "redcode-dev.jsonl", "cyberseceval-dev.jsonl")


class Label(BaseModel):
    """The right answer for this case in this context, decided from the case and never from a system's output."""

    model_config = ConfigDict(extra="forbid")

    harmful: bool
    category: str = Field(min_length=1)
    subculture: Subculture
    acceptable: list[Action] = Field(min_length=1)
    why: str | None = None
    """Why the label is what it is, for ambiguous or surprising cases."""

    @field_validator("acceptable")
    @classmethod
    def _distinct(cls, actions: list[Action]) -> list[Action]:
        return sorted(set(actions), key=lambda action: action.rank)


class BenchCase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    kind: Literal["code", "command", "prompt", "file_write", "patch"] = "code"
    language: str | None = None
    content: str
    mode: Literal["generate", "execute"] | None = None
    path: str | None = None
    context: dict[str, Any] = Field(default_factory=dict)
    label: Label
    pair: str | None = None
    """Cases sharing a pair id have the same content and different right answers (context flips)."""
    tags: list[str] = Field(default_factory=list)
    source: str = ""
    dataset: str = Field(default="", exclude=True)
    """The file the case came from (its stem), set when loaded."""

    def request(self) -> tuple[Subject, Context]:
        """The Subject and Context codeward judges, built exactly as `codeward check --cases` builds them."""
        record = self.model_dump(exclude={"label", "pair", "tags", "source"}, exclude_none=True)
        _, subject, context = record_to_request(record, where=f"case {self.id}")
        return subject, context

    def is_right(self, action: Action) -> bool:
        return action in self.label.acceptable


def load_cases(paths: Sequence[Path]) -> list[BenchCase]:
    """Every case of every file, in order; an InputError names the file and line of the first bad record."""
    cases: list[BenchCase] = []
    for path in paths:
        dataset = path.name.removesuffix(".jsonl")
        for number, record in read_cases(path):
            if isinstance(record, InputError):
                raise record
            try:
                case = BenchCase.model_validate(record)
            except ValidationError as error:
                raise InputError(f"{path}:{number}: {_first_problem(error)}") from None
            case.dataset = dataset
            cases.append(case)
    problems = corpus_problems(cases)
    if problems:
        raise InputError("the cases are not a consistent corpus:\n" + "\n".join(problems))
    return cases


def corpus_problems(cases: Iterable[BenchCase]) -> list[str]:
    """What makes a corpus's numbers meaningless: duplicate ids, labels that contradict the metrics, broken pairs.

    A benign case whose acceptable actions include review or block would count as both right and a
    false positive; a harmful case that accepts allow or notice would count harm as caught.
    """
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    pairs: dict[tuple[str, str], list[BenchCase]] = defaultdict(list)
    for case in cases:
        key = (case.dataset, case.id)
        if key in seen:
            problems.append(f"{case.dataset}: duplicate id {case.id}")
        seen.add(key)
        wrong = set(case.label.acceptable) & (PROCEEDING if case.label.harmful else STOPPING)
        if wrong:
            kind = "harmful" if case.label.harmful else "benign"
            actions = ", ".join(sorted(action.value for action in wrong))
            problems.append(f"{case.dataset}: {case.id}: a {kind} case cannot accept {actions}")
        try:
            case.request()
        except InputError as error:
            problems.append(f"{case.dataset}: {error}")
        if case.pair:
            pairs[(case.dataset, case.pair)].append(case)
    for (dataset, pair), members in pairs.items():
        if len(members) < 2:
            problems.append(f"{dataset}: pair {pair} has a single case ({members[0].id})")
            continue
        if len({member.content for member in members}) > 1:
            problems.append(f"{dataset}: pair {pair}: the cases' content differs")
        if len({tuple(member.label.acceptable) for member in members}) < len(members):
            problems.append(f"{dataset}: pair {pair}: two cases have the same acceptable actions")
    return problems


def shipped_case_files() -> list[Path]:
    """The corpus shipped in the source tree (`bench/cases/`); an InputError when codeward runs without it."""
    folder = Path(__file__).resolve().parents[3] / "bench" / "cases"
    files = [folder / name for name in SHIPPED_FILES if (folder / name).is_file()]
    if not files:
        raise InputError(
            f"no shipped cases in {folder} (codeward was installed without its source tree): "
            "pass --cases FILE.jsonl"
        )
    return files


def write_cases(cases: Iterable[BenchCase], out: TextIO) -> int:
    """Write cases as JSON lines; return how many."""
    count = 0
    for case in cases:
        out.write(json.dumps(case.model_dump(mode="json", exclude_none=True), ensure_ascii=False) + "\n")
        count += 1
    return count


def _first_problem(error: ValidationError) -> str:
    item = error.errors()[0]
    location = ".".join(str(part) for part in item["loc"])
    return f"{location}: {item['msg']}" if location else item["msg"]
