"""Infer intent from the project (files, dependencies, README) and the prompt.

A transparent, rule-based scorer: every signal that moves the distribution is kept as a sentence
of evidence. It reads only what the Context carries; reading a directory is `context.project`'s job.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from codeward.model import Context

INTENTS = (
    "general",
    "production",
    "devops",
    "data_science",
    "education",
    "security_research",
    "reverse_engineering",
)


@dataclass(frozen=True, slots=True)
class Signal:
    intent: str
    weight: float
    pattern: re.Pattern[str]
    where: str
    """files, dependencies, readme or prompt."""
    label: str


def _s(intent: str, weight: float, where: str, label: str, pattern: str) -> Signal:
    return Signal(intent, weight, re.compile(pattern, re.I), where, label)


SIGNALS: tuple[Signal, ...] = (
    # security research
    _s(
        "security_research",
        2.5,
        "dependencies",
        "offensive-security library",
        r"^(pwntools|pwn|impacket|scapy|angr|ropgadget|pwndbg|metasploit|sqlmap|mitmproxy|frida|yara-python|yara)$",
    ),
    _s(
        "security_research",
        2.0,
        "files",
        "exploit/CTF layout",
        r"(^|/)(exploits?|payloads?|writeups?|ctf|pwn|shellcode|poc|red-?team|pentest)(/|$|[._-])",
    ),
    _s(
        "security_research",
        2.0,
        "readme",
        "security wording in README",
        r"\b(ctf|capture the flag|exploit(ation)?|penetration test|pentest|red team|proof of concept|cve-\d{4}-\d+|vulnerab\w+|picoctf|hackthebox|tryhackme)\b",
    ),
    _s(
        "security_research",
        2.0,
        "prompt",
        "security wording in the prompt",
        r"\b(ctf|exploit|pentest|red team|picoctf|hackthebox|tryhackme|cve-\d{4}-\d+|payload|privilege escalation|shellcode)\b",
    ),
    # reverse engineering
    _s(
        "reverse_engineering",
        2.5,
        "dependencies",
        "reverse-engineering library",
        r"^(capstone|unicorn|keystone-engine|r2pipe|radare2|lief|pefile|pyelftools|angr|ghidra.*|binaryninja|miasm|qiling)$",
    ),
    _s(
        "reverse_engineering",
        2.0,
        "files",
        "binary-analysis layout",
        r"(^|/)(samples?|malware|crackmes?|disasm|decompiled?|ghidra|ida|binaries)(/|$)|\.(idb|i64|gpr|bndb|exe|dll|elf)$",
    ),
    _s(
        "reverse_engineering",
        2.0,
        "readme",
        "reverse-engineering wording in README",
        r"\b(reverse engineer\w*|disassembl\w+|decompil\w+|malware analysis|crackme|firmware analysis|ghidra|radare2|ida pro)\b",
    ),
    _s(
        "reverse_engineering",
        2.0,
        "prompt",
        "reverse-engineering wording in the prompt",
        r"\b(reverse engineer\w*|disassembl\w+|decompil\w+|malware sample|crackme|unpack\w* the binary)\b",
    ),
    # education
    _s(
        "education",
        2.0,
        "files",
        "course layout",
        r"(^|/)(lessons?|lectures?|exercises?|homework|assignments?|labs?|syllabus|course|tutorials?|solutions?|week-?\d+|chapter-?\d+)(/|$|[._-])",
    ),
    _s(
        "education",
        2.0,
        "readme",
        "teaching wording in README",
        r"\b(course|lecture|syllabus|students?|homework|assignment|exercise|tutorial|teaching|curriculum|semester)\b",
    ),
    _s(
        "education",
        1.5,
        "prompt",
        "teaching wording in the prompt",
        r"\b(explain|teach|lesson|students?|homework|assignment|for my class|course|learn(ing)?)\b",
    ),
    # production
    _s(
        "production",
        2.0,
        "files",
        "deployment files",
        r"(^|/)(Dockerfile|docker-compose\.ya?ml|k8s|kubernetes|helm|charts|terraform|.*\.tf|deploy|deployment|migrations?|alembic|\.github/workflows|Procfile|serverless\.ya?ml)(/|$)",
    ),
    _s(
        "production",
        1.5,
        "dependencies",
        "service framework",
        r"^(django|flask|fastapi|gunicorn|uvicorn|express|nestjs|@nestjs/core|spring|rails|sqlalchemy|celery|psycopg2?|prisma)$",
    ),
    _s(
        "production",
        1.5,
        "readme",
        "service wording in README",
        r"\b(production|deploy(ment)?|service level|on-?call|customers?|api server|microservice)\b",
    ),
    _s(
        "production",
        1.0,
        "prompt",
        "production wording in the prompt",
        r"\b(production|prod|deploy|customers?|live site)\b",
    ),
    # devops
    _s(
        "devops",
        2.0,
        "files",
        "infrastructure code",
        r"(^|/)(ansible|playbooks?|inventory|terraform|puppet|chef|salt|\.tf$|Vagrantfile|scripts/ops)(/|$)?",
    ),
    _s(
        "devops",
        1.5,
        "readme",
        "operations wording in README",
        r"\b(infrastructure|ansible|terraform|provision\w*|sre|runbook|incident|kubernetes cluster)\b",
    ),
    _s(
        "devops",
        1.5,
        "prompt",
        "operations wording in the prompt",
        r"\b(server|cluster|kubectl|systemd|cron|nginx|provision|ansible|terraform|disk space|logs?)\b",
    ),
    # data science
    _s(
        "data_science",
        2.0,
        "dependencies",
        "data-science library",
        r"^(numpy|pandas|scipy|scikit-learn|sklearn|torch|tensorflow|jupyter|notebook|matplotlib|seaborn|xgboost|polars)$",
    ),
    _s(
        "data_science",
        2.0,
        "files",
        "notebooks and data",
        r"\.(ipynb|csv|parquet|feather|h5)$|(^|/)(notebooks?|data|datasets)(/|$)",
    ),
    _s(
        "data_science",
        1.5,
        "readme",
        "data wording in README",
        r"\b(dataset|notebook|model training|data analysis|machine learning|regression|classifier)\b",
    ),
    _s(
        "data_science",
        1.0,
        "prompt",
        "data wording in the prompt",
        r"\b(dataframe|dataset|plot|train(ing)? a model|notebook|csv)\b",
    ),
)

_MAX_FILES = 5000
_PER_SIGNAL_CAP = 3


@dataclass(slots=True)
class Inference:
    name: str
    confidence: float
    distribution: dict[str, float]
    evidence: list[str] = field(default_factory=list)


def infer(context: Context) -> Inference | None:
    """The most likely intent and the evidence for it, or None when the context says nothing."""
    texts: dict[str, list[str]] = {"files": [], "dependencies": [], "readme": [], "prompt": []}
    project = context.project
    if project is not None:
        texts["files"] = project.files[:_MAX_FILES]
        texts["dependencies"] = [d.lower() for d in project.dependencies]
        texts["readme"] = [project.readme[:20000]] if project.readme else []
    if context.prompt:
        texts["prompt"] = [context.prompt[:20000]]
    if not any(texts.values()):
        return None

    scores = dict.fromkeys(INTENTS, 0.0)
    evidence: list[str] = []
    for signal in SIGNALS:
        hits: list[str] = []
        for text in texts[signal.where]:
            match = signal.pattern.search(text)
            if match:
                hits.append(match.group(0) if signal.where in ("readme", "prompt") else text)
                if len(hits) >= _PER_SIGNAL_CAP:
                    break
        if hits:
            scores[signal.intent] += signal.weight * (1 + 0.25 * (len(hits) - 1))
            shown = ", ".join(repr(h.strip()[:60]) for h in hits)
            evidence.append(f"{signal.label}: {shown} ({signal.where})")
    scores["general"] = 1.5
    exp = {name: math.exp(score) for name, score in scores.items()}
    total = sum(exp.values())
    distribution = {name: round(value / total, 3) for name, value in exp.items()}
    best = max(distribution, key=lambda name: distribution[name])
    return Inference(name=best, confidence=distribution[best], distribution=distribution, evidence=evidence)
