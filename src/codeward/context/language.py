"""Which language a snippet is written in, from what the caller said, its path, its shebang or its text."""

from __future__ import annotations

import re
from pathlib import PurePath

import re2

from codeward.model import SubjectKind

ALIASES = {
    "py": "python",
    "python3": "python",
    "sh": "sh",
    "shell": "bash",
    "zsh": "bash",
    "js": "javascript",
    "node": "javascript",
    "ts": "typescript",
    "tsx": "typescript",
    "jsx": "javascript",
    "ps1": "powershell",
    "pwsh": "powershell",
    "ps": "powershell",
    "psm1": "powershell",
}

EXTENSIONS = {
    ".py": "python",
    ".pyw": "python",
    ".sh": "bash",
    ".bash": "bash",
    ".zsh": "bash",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".tsx": "typescript",
    ".mts": "typescript",
    ".ps1": "powershell",
    ".psm1": "powershell",
    ".rb": "ruby",
    ".go": "go",
    ".rs": "rust",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".java": "java",
    ".php": "php",
    ".pl": "perl",
    ".lua": "lua",
    ".sql": "sql",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".toml": "toml",
    ".md": "markdown",
    ".txt": "text",
    ".dockerfile": "dockerfile",
}

FILENAMES = {"dockerfile": "dockerfile", "makefile": "make", "setup.py": "python", "package.json": "json"}

_SHEBANG = re.compile(r"^#!\s*(?:/usr/bin/env\s+(?:-S\s+)?)?(?:\S*/)?([A-Za-z0-9_.+-]+)")
_PYTHON_HINTS = re2.compile(  # RE2: blank lines before `print ` were quadratic in `re`
    r"(?m)^\s*(?:import\s+\w|from\s+[\w.]+\s+import\s|def\s+\w+\s*\(|class\s+\w+[:(]|print\()"
)
_JS_HINTS = re2.compile(  # RE2: `import` and 4,000 spaces took seconds in `re` (cubic)
    r"(?:\brequire\(['\"]|\bconst\s+\w+\s*=|\blet\s+\w+\s*=|=>\s*[{(]|\bconsole\.log\(|\bimport\s+.*\s+from\s+['\"])"
)
_PS_HINTS = re.compile(r"(?:\b(?:Invoke|Get|Set|New|Remove|Start)-[A-Z]\w+|\$env:\w+|\[System\.\w+)", re.I)


def normalise(language: str | None) -> str | None:
    if language is None:
        return None
    name = language.strip().lower()
    return ALIASES.get(name, name) or None


def detect(content: str, *, path: str | None = None, kind: SubjectKind = SubjectKind.CODE) -> str:
    """Best guess of the language; commands default to bash, prompts to text."""
    if kind is SubjectKind.PROMPT:
        return "text"
    if path:
        pure = PurePath(path)
        by_name = FILENAMES.get(pure.name.lower())
        if by_name:
            return by_name
        by_extension = EXTENSIONS.get(pure.suffix.lower())
        if by_extension:
            return by_extension
    head = content[:200]
    shebang = _SHEBANG.match(head)
    if shebang:
        interpreter = shebang.group(1).lower()
        interpreter = re.sub(r"[\d.]+$", "", interpreter) or interpreter
        named = normalise(interpreter)
        if named in {"python", "bash", "sh", "javascript", "powershell", "ruby", "perl"}:
            return named
    if kind is SubjectKind.COMMAND:
        return "powershell" if _PS_HINTS.search(head) and "$env:" in content else "bash"
    sample = content[:4000]
    if _PYTHON_HINTS.search(sample):
        return "python"
    if _JS_HINTS.search(sample):
        return "javascript"
    if _PS_HINTS.search(sample):
        return "powershell"
    return "bash"
