"""Dockerfiles: every RUN, CMD and ENTRYPOINT is a shell command line, handed to the shell analyzer.

A Dockerfile has no analyzer of its own beyond this: the instructions that run something are cut
out (continuation lines joined, BuildKit heredocs read, the JSON exec form turned back into a
command line) and each becomes a bash payload, judged like any command an agent would run.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass

from codeward.analyzers.rulebook import RuleBook
from codeward.model import Context, Finding, Payload, Subject

MAX_INSTRUCTIONS = 48
"""Instructions handed on per file; the engine's payload budget bounds the rest of the work."""

_INSTRUCTION = re.compile(r"^\s*(RUN|CMD|ENTRYPOINT)\s+(.*)$", re.IGNORECASE)
_RUN_FLAGS = re.compile(r"^(?:--[a-z-]+(?:=\S*)?\s+)*")
_HEREDOC = re.compile(r"^<<-?\s*[\"']?(\w+)[\"']?\s*$")
_SHELLS = ("sh", "bash", "/bin/sh", "/bin/bash", "/usr/bin/env")


@dataclass(frozen=True, slots=True)
class Instruction:
    keyword: str
    line: int
    command: str


class DockerfileAnalyzer:
    """One `dockerfile.exec.run` finding per instruction that runs something, its command as a payload."""

    name = "dockerfile"
    languages = frozenset({"dockerfile"})

    def __init__(self, rulebook: RuleBook) -> None:
        self._rulebook = rulebook

    def analyze(self, subject: Subject, context: Context) -> list[Finding]:
        findings = []
        for instruction in instructions(subject.content)[:MAX_INSTRUCTIONS]:
            findings.append(
                self._rulebook.finding(
                    "dockerfile.exec.run",
                    lines=[instruction.line],
                    evidence=instruction.command[:300],
                    target=instruction.keyword,
                    language=subject.language,
                    payload=Payload(
                        language="bash",
                        content=instruction.command,
                        origin=f"{instruction.keyword} at line {instruction.line}",
                    ),
                )
            )
        return findings


def instructions(text: str) -> list[Instruction]:
    """RUN, CMD and ENTRYPOINT instructions with the line each starts on."""
    lines = text.splitlines()
    found: list[Instruction] = []
    index = 0
    while index < len(lines) and len(found) < MAX_INSTRUCTIONS:
        match = _INSTRUCTION.match(lines[index])
        start = index
        index += 1
        if match is None:
            continue
        keyword = match.group(1).upper()
        body = _RUN_FLAGS.sub("", match.group(2).strip()) if keyword == "RUN" else match.group(2).strip()
        heredoc = _HEREDOC.match(body)
        if heredoc is not None:
            script = []
            while index < len(lines) and lines[index].strip() != heredoc.group(1):
                script.append(lines[index])
                index += 1
            index += 1
            found.append(Instruction(keyword, start + 1, "\n".join(script)))
            continue
        parts = [body]
        while parts[-1].endswith("\\") and index < len(lines):
            parts[-1] = parts[-1][:-1]
            following = lines[index]
            index += 1
            if following.lstrip().startswith("#"):  # comments inside a continued instruction are dropped
                parts.append("\\")
                continue
            parts.append(following.strip())
        command = " ".join(part for part in parts if part != "\\").strip()
        if command:
            found.append(Instruction(keyword, start + 1, _exec_form(command)))
    return found


def _exec_form(command: str) -> str:
    """`["sh", "-c", "cmd"]` is `cmd`; any other JSON array is its words as a command line."""
    if not command.startswith("["):
        return command
    try:
        words = json.loads(command)
    except ValueError:
        return command
    if not isinstance(words, list) or not all(isinstance(word, str) for word in words):
        return command
    if len(words) >= 3 and words[0] in _SHELLS and words[1] == "-c":
        return str(words[2])
    return shlex.join(words)
