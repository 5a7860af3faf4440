from __future__ import annotations

import pytest

from codeward.context.language import detect, normalise
from codeward.model import SubjectKind


@pytest.mark.parametrize(
    ("content", "path", "kind", "expected"),
    [
        ("print('x')", "a.py", SubjectKind.CODE, "python"),
        ("anything", "deploy.sh", SubjectKind.CODE, "bash"),
        ("#!/usr/bin/env python3\nx = 1\n", None, SubjectKind.CODE, "python"),
        ("#!/bin/sh\nls\n", None, SubjectKind.CODE, "sh"),
        ("import os\nos.getcwd()\n", None, SubjectKind.CODE, "python"),
        ("const fs = require('fs');\n", None, SubjectKind.CODE, "javascript"),
        ("Get-ChildItem C:\\ | Remove-Item -Recurse", None, SubjectKind.CODE, "powershell"),
        ("ls -la", None, SubjectKind.COMMAND, "bash"),
        ("write me a poem", None, SubjectKind.PROMPT, "text"),
        ("FROM debian", "Dockerfile", SubjectKind.CODE, "dockerfile"),
    ],
)
def test_language_is_detected_from_path_shebang_or_text(
    content: str, path: str | None, kind: SubjectKind, expected: str
) -> None:
    assert detect(content, path=path, kind=kind) == expected


def test_aliases_are_normalised() -> None:
    assert (
        normalise("py") == "python" and normalise("JS") == "javascript" and normalise("pwsh") == "powershell"
    )
    assert normalise(None) is None
