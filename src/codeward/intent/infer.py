"""Infer why code is being written from the project, the request and the session.

Transparent by construction: every signal that moves the distribution is one entry of
`codeward.intent.lexicon` (a path word, an extension, a file name, a dependency, a phrase), and is
reported as a sentence of evidence. Signals add up per intent and per source (files,
dependencies, README, prompt, session); each source saturates, so fifty test files named
`test_exploit_*.py` cannot outvote a README. A softmax with a fitted temperature turns the scores
into a distribution whose top probability is the confidence; `general` holds a fitted baseline,
so that a project with little evidence stays `general`. The two numbers are fitted by
`codeward.intent.evaluation.fit_calibration` on the development half of the shipped project
manifests (`bench/projects/`); everything else is written down, not learned.

One pass over the file list: the paths are joined into one lowercase text that a single RE2 set
scans for every path word, extension and file name (linear time, no per-file Python loop).
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import re2

from codeward.intent.lexicon import (
    CI_PHRASES,
    DEPENDENCIES,
    DEPENDENCY_PREFIXES,
    EXTENSIONS,
    FILENAMES,
    GENERAL,
    INTENTS,
    PATH_WORDS,
    PHRASES,
    Phrases,
    Weights,
)
from codeward.model import Context

MAX_FILES = 5000
BLOCK_FILES = 400
"""File names joined per block (see `_Paths`)."""
MAX_TEXT = 20_000
"""Characters of README and prompt read (the project reader keeps 20 KB of README)."""


@dataclass(frozen=True, slots=True)
class Calibration:
    """Turns scores into probabilities: softmax at `temperature`, with `general_baseline` added to
    `general` so that a project with little evidence stays `general`."""

    temperature: float
    general_baseline: float


CALIBRATION = Calibration(temperature=0.5, general_baseline=1.5)
"""Fitted by `codeward.intent.evaluation.fit_calibration` on the `dev` manifests, name-blind
(`python benchmarks/intent_evaluation.py --fit`); refit it when the lexicon changes."""
SOURCE_CAPS = {"files": 3.0, "dependencies": 3.0, "readme": 3.0, "ci": 3.0, "prompt": 2.5, "session": 2.5}
"""What one source can add to an intent at most: scores saturate towards these."""
PROJECT_SOURCES = frozenset({"files", "dependencies", "readme", "ci"})
WHERE = {
    "readme": "the README mentions",
    "prompt": "the prompt mentions",
    "ci": "the CI/deploy files mention",
}
SESSION_WEIGHT = 1.0
"""What one earlier decision in the session under an intent adds to it: with nothing else known,
three such decisions outweigh the `general` baseline, one or two do not."""
DEPENDENCY_AS_PATH = 0.5
"""A distinctive dependency's name as a path word (`angr/`, `pwntools/`) counts this fraction."""
MAX_EVIDENCE = 8
EXAMPLE = "{example}"
_WORD_CANDIDATES = 12
_SUFFIX = re.compile(rb"(?:s|es)?(?:\d+)?")


@dataclass(frozen=True, slots=True)
class Signal:
    """One thing seen, the intents it supports, and the sentence that reports it."""

    source: str
    weights: Weights
    sentence: str
    strength: float = 1.0
    """Multiplies the weights: above 1 for a signal seen many times (ten notebooks)."""
    example: Callable[[], str] | None = None
    """Finds the example the sentence cites, only if the sentence is shown (searching costs time)."""

    def text(self) -> str:
        return self.sentence.replace(EXAMPLE, self.example()) if self.example is not None else self.sentence


@dataclass(slots=True)
class Inference:
    name: str
    confidence: float
    distribution: dict[str, float]
    evidence: list[str] = field(default_factory=list)
    project_name: str | None = None
    """The most likely intent from the project alone (files, dependencies, README)."""
    project_confidence: float = 0.0
    project_support: int = 0
    """How many distinct project signals support `project_name`."""
    signals: list[Signal] = field(default_factory=list)


def infer(context: Context, calibration: Calibration = CALIBRATION) -> Inference | None:
    """The most likely intent with its distribution and evidence, or None when the context says nothing."""
    signals = list(project_signals(context))
    if context.prompt:
        signals += phrase_signals(context.prompt, "prompt")
    signals += session_signals(context)
    has_input = bool(
        context.prompt
        or context.session.history
        or (
            context.project
            and (
                context.project.files
                or context.project.dependencies
                or context.project.readme
                or context.project.ci
            )
        )
    )
    if not has_input:
        return None
    return combine(signals, calibration)


def combine(signals: list[Signal], calibration: Calibration = CALIBRATION) -> Inference:
    """Scores -> a calibrated distribution, the chosen intent, and the evidence sentences."""
    distribution = _distribution(signals, calibration)
    name = max(distribution, key=lambda intent: distribution[intent])
    project = [s for s in signals if s.source in PROJECT_SOURCES]
    project_distribution = (  # with every signal the project's (or none at all), it is the same one
        distribution if len(project) == len(signals) else _distribution(project, calibration)
    )
    project_name = max(project_distribution, key=lambda intent: project_distribution[intent])
    support = sum(1 for s in project if any(intent == project_name for intent, _ in s.weights))
    return Inference(
        name=name,
        confidence=distribution[name],
        distribution=distribution,
        evidence=_evidence(signals, name),
        project_name=project_name if project else None,
        project_confidence=project_distribution[project_name] if project else 0.0,
        project_support=support,
        signals=signals,
    )


def scores(signals: Iterable[Signal]) -> dict[str, float]:
    """Each intent's score: per source, the weights add up and saturate at the source's cap."""
    raw: dict[tuple[str, str], float] = {}
    for signal in signals:
        for intent, weight in signal.weights:
            key = (signal.source, intent)
            raw[key] = raw.get(key, 0.0) + weight * signal.strength
    total = dict.fromkeys(INTENTS, 0.0)
    for (source, intent), value in raw.items():
        cap = SOURCE_CAPS[source]
        total[intent] = total.get(intent, 0.0) + cap * (1.0 - math.exp(-value / cap))
    return total


def softmax(score: dict[str, float], calibration: Calibration) -> dict[str, float]:
    adjusted = dict(score)
    adjusted[GENERAL] = adjusted.get(GENERAL, 0.0) + calibration.general_baseline
    top = max(adjusted.values())
    exp = {intent: math.exp((value - top) / calibration.temperature) for intent, value in adjusted.items()}
    total = sum(exp.values())
    return {intent: value / total for intent, value in exp.items()}


def _distribution(signals: list[Signal], calibration: Calibration) -> dict[str, float]:
    probabilities = softmax(scores(signals), calibration)
    return {intent: round(p, 4) for intent, p in probabilities.items()}


def _evidence(signals: list[Signal], chosen: str) -> list[str]:
    """Sentences for the chosen intent first (strongest first), then the strongest for others."""

    def weight_for(signal: Signal, intent: str) -> float:
        return sum(w for i, w in signal.weights if i == intent) * signal.strength

    ranked = [s for s in sorted(signals, key=lambda s: -weight_for(s, chosen)) if weight_for(s, chosen) > 0]
    shown = [f"{s.text()} -> {chosen}" for s in ranked[:MAX_EVIDENCE]]  # examples cost a search each
    others = sorted(
        (s for s in signals if weight_for(s, chosen) <= 0),
        key=lambda s: -max(w for _, w in s.weights) * s.strength,
    )
    for signal in others[: max(0, MAX_EVIDENCE - len(shown)) or 2]:
        best = max(signal.weights, key=lambda pair: pair[1])[0]
        shown.append(f"{signal.text()} -> {best}")
    return shown


# ---------------------------------------------------------------------------- project signals
def project_signals(context: Context) -> list[Signal]:
    project = context.project
    if project is None:
        return []
    signals = list(_file_signals_of(tuple(project.files[:MAX_FILES])))
    signals += dependency_signals(project.dependencies)
    if project.readme:
        signals += phrase_signals(project.readme, "readme")
    if project.ci:
        signals += phrase_signals(project.ci, "ci", CI_PHRASES)
    return signals


@functools.lru_cache(maxsize=8)
def _file_signals_of(files: tuple[str, ...]) -> tuple[Signal, ...]:
    """A hook judges many snippets in one project: the file list's signals are computed once per list
    (the project reader hands back the same list while the tree is unchanged)."""
    return tuple(file_signals(list(files)))


def file_signals(files: list[str]) -> list[Signal]:
    if not files:
        return []
    matcher = _path_matcher()
    paths = _Paths(files)
    first_block: dict[int, int] = {}
    for block, text in enumerate(paths.texts()):
        for index in matcher.set.Match(text) or ():  # the binding answers None for no match
            first_block.setdefault(index, block)
    signals: list[Signal] = []
    for index in sorted(first_block):
        kind, key, weights = matcher.entries[index]
        needle, block = key.encode(), first_block[index]
        if kind == "extension":
            count = paths.count(b"." + needle + b"\n", block)
            strength = min(2.0, 1.0 + 0.3 * math.log2(max(1, count)))
            sentence = f"{count} .{key} file{'s' if count != 1 else ''} (e.g. {EXAMPLE})"
            example = functools.partial(paths.line_at, block, b"." + needle + b"\n")
            signals.append(Signal("files", weights, sentence, strength, example))
        elif kind == "filename":
            example = functools.partial(paths.file_named, block, needle)
            signals.append(Signal("files", weights, f"file {EXAMPLE}", example=example))
        else:
            example = functools.partial(paths.word_at, block, needle, matcher.patterns[index])
            sentence = f"“{key}” in the file names (e.g. {EXAMPLE})"
            signals.append(Signal("files", weights, sentence, example=example))
    return signals


def dependency_signals(dependencies: list[str]) -> list[Signal]:
    signals = []
    for dependency in dict.fromkeys(_dependency_name(d) for d in dependencies):
        weights = DEPENDENCIES.get(dependency)
        if weights is None:
            weights = next((w for prefix, w in DEPENDENCY_PREFIXES if dependency.startswith(prefix)), None)
        if weights is not None:
            signals.append(Signal("dependencies", weights, f"{dependency} in the dependencies"))
    return signals


def phrase_signals(text: str, source: str, phrases: Phrases = PHRASES) -> list[Signal]:
    """README, CI or prompt wording: each phrase counts once, however often it appears."""
    matcher = _phrase_matcher(phrases)
    original = text[:MAX_TEXT]
    lowered = original.lower()
    same_offsets = len(lowered) == len(original)  # lowering can lengthen a few characters (İ)
    where = WHERE[source]
    signals = []
    for index in sorted(matcher.set.Match(lowered) or ()):
        label, weights = matcher.entries[index]
        found = matcher.patterns[index].search(lowered)
        if found is None:
            quoted = label
        else:  # quoted as written: “picoCTF”, not “picoctf”
            quoted = original[found.start() : found.end()] if same_offsets else found.group(0)
        signals.append(Signal(source, weights, f"{where} “{quoted}” ({label})"))
    return signals


def session_signals(context: Context) -> list[Signal]:
    counts = Counter(event.intent for event in context.session.history if event.intent != GENERAL)
    signals = []
    for intent, count in counts.most_common():
        if intent not in INTENTS:
            continue
        plural = "s" if count != 1 else ""
        sentence = f"{count} earlier decision{plural} in this session under {intent}"
        signals.append(Signal("session", ((intent, SESSION_WEIGHT),), sentence, float(count)))
    return signals


def _dependency_name(requirement: str) -> str:
    name = requirement.strip().lower().split("[", 1)[0].strip()
    return name if name.startswith("@") else name.replace("_", "-")


class _Paths:
    """The file list joined into blocks of `BLOCK_FILES` lines (each starting and ending with a newline),
    lowercased for matching; searched for examples only for the evidence that is shown. Blocks of
    tens of KB keep every allocation small (one 300 KB string per call made the time erratic), and
    no pattern spans two lines, so nothing is lost at a block's edge."""

    def __init__(self, files: list[str]) -> None:
        self.blocks: list[tuple[bytes, bytes]] = []
        for start in range(0, len(files), BLOCK_FILES):
            raw = ("\n" + "\n".join(files[start : start + BLOCK_FILES]) + "\n").encode(
                "utf-8", "surrogatepass"
            )
            self.blocks.append((raw, raw.lower()))  # ASCII-only lowering keeps every offset valid in `raw`

    def texts(self) -> Iterator[bytes]:
        return (text for _, text in self.blocks)

    def count(self, needle: bytes, first: int = 0) -> int:
        return sum(text.count(needle) for _, text in self.blocks[first:])

    def line_at(self, first: int, needle: bytes) -> str:
        return self._first(first, lambda text: text.find(needle))

    def file_named(self, first: int, name: bytes) -> str:
        def where(text: bytes) -> int:
            found = text.find(b"/" + name + b"\n")
            if found >= 0:
                return found
            found = text.find(b"\n" + name + b"\n")
            return found + 1 if found >= 0 else -1

        return self._first(first, where)

    def word_at(self, first: int, word: bytes, pattern: Any) -> str:
        """Where a path word first occurs as a whole word: a few `find`s, a regex only if those miss."""

        def where(text: bytes) -> int:
            start = 0
            for _ in range(_WORD_CANDIDATES):
                found = text.find(word, start)
                if found < 0:
                    return -1
                end = found + len(word)
                while text[end : end + 1].isalnum():  # plural or number suffix (`exploits`, `week3`)
                    end += 1
                if not text[found - 1 : found].isalnum() and _SUFFIX.fullmatch(text[found + len(word) : end]):
                    return found
                start = found + 1
            match = pattern.search(text)
            return match.start() + 1 if match else -1

        return self._first(first, where)

    def _first(self, first: int, where: Callable[[bytes], int]) -> str:
        """The file path (one line of a block) at the first offset `where` finds, from block `first`
        on (the first block the matcher saw it in)."""
        for raw, text in self.blocks[first:]:
            offset = where(text)
            if offset >= 0:
                start = raw.rfind(b"\n", 0, offset) + 1
                end = raw.find(b"\n", offset)
                return raw[start : end if end >= 0 else len(raw)].decode("utf-8", "replace")
        return "?"


# ---------------------------------------------------------------------------- compiled matchers
@dataclass(frozen=True, slots=True)
class _PathMatcher:
    set: Any
    patterns: list[Any]
    entries: list[tuple[str, str, Weights]]


@dataclass(frozen=True, slots=True)
class _PhraseMatcher:
    set: Any
    patterns: list[Any]
    entries: list[tuple[str, Weights]]


@functools.cache
def _path_matcher() -> _PathMatcher:
    """Built once per process: compiling the RE2 set is the expensive part, matching is linear."""
    words: dict[str, Weights] = {}
    for name, weights in DEPENDENCIES.items():
        strong = tuple((intent, w * DEPENDENCY_AS_PATH) for intent, w in weights if w >= 2.0)
        if strong and "/" not in name:
            words[name] = strong
    words.update(PATH_WORDS)
    sources: list[tuple[str, str, Weights, str]] = []
    for word, weights in words.items():
        sources.append(
            ("word", word, weights, rf"[^a-z0-9]{re2.escape(word)}(?:s|es)?(?:[-_]?\d+)?[^a-z0-9]")
        )
    for extension, weights in EXTENSIONS.items():
        sources.append(("extension", extension, weights, rf"\.{re2.escape(extension)}\n"))
    for filename, weights in FILENAMES.items():
        sources.append(("filename", filename, weights, rf"[/\n]{re2.escape(filename)}\n"))
    matcher = _compile_set(pattern for *_, pattern in sources)
    return _PathMatcher(
        matcher,
        [re2.compile(pattern.encode()) for *_, pattern in sources],
        [(kind, key, weights) for kind, key, weights, _ in sources],
    )


@functools.cache
def _phrase_matcher(phrases: Phrases) -> _PhraseMatcher:
    matcher = _compile_set(pattern for _, pattern, _ in phrases)
    return _PhraseMatcher(
        matcher,
        [re2.compile(pattern) for _, pattern, _ in phrases],
        [(label, weights) for label, _, weights in phrases],
    )


def _compile_set(patterns: Iterable[str]) -> Any:
    options = re2.Options()
    options.max_mem = 64 << 20
    matcher = re2.Set.SearchSet(options)
    for pattern in patterns:
        matcher.Add(pattern)
    matcher.Compile()
    return matcher
