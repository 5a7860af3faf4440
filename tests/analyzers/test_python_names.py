"""What a called name refers to, in the cases the analyzer's shortcuts must get right.

The Python analyzer skips resolving calls of names that no scope binds when what they name has no
handler (`len(x)`), and resolves an imported-only name once per importing scope. These snippets
pin the boundaries of those shortcuts: a builtin's name rebound or taken as a parameter, an import
in a function or a class body that shadows a module import, a module-local function whose name a
handler knows (`execute`), and the roundabout calls (`eval`, `map`). Every snippet is parsed, never run.
"""

from __future__ import annotations

import pytest

from codeward import Context, Guard, Subject

CASES = {
    "alias of os.system": (
        'import os\nrun = os.system\nrun("rm -rf /tmp/cache")\n',
        {("python.proc.shell_command", 3)},
    ),
    "builtin name rebound": (
        'import os\nlen = os.system\nlen("rm -rf /tmp/cache")\n',
        {("python.proc.shell_command", 3)},
    ),
    "builtin name as a parameter": (
        'import os\ndef f(sorted=os.system):\n    sorted("rm -rf /tmp/cache")\nf()\n',
        {("python.proc.shell_command", 3)},
    ),
    "function import shadows the module's": (
        "import shutil\n"
        "def clean():\n"
        "    import os as shutil\n"
        '    shutil.system("rm -rf /tmp/cache")\n'
        "def tidy():\n"
        '    shutil.rmtree("/tmp/cache")\n',
        {("python.proc.shell_command", 4), ("python.fs.delete_tree", 6)},
    ),
    "class-body import is not seen by methods": (
        "import shutil\n"
        "class Job:\n"
        "    import os as shutil\n"
        "    def run(self):\n"
        '        shutil.rmtree("/tmp/cache")\n',
        {("python.fs.delete_tree", 5)},
    ),
    "class-body import is seen in the class body": (
        'class Job:\n    import os\n    os.system("rm -rf /tmp/cache")\n',
        {("python.proc.shell_command", 3)},
    ),
    "local function named like a driver method": (
        'def execute(query):\n    pass\nexecute("DROP DATABASE prod")\n',
        {("python.data.destroy", 3)},
    ),
    "eval of an import": (
        "eval(\"__import__('os').system('rm -rf /tmp/cache')\")\n",
        {("python.exec.dynamic", 1), ("python.proc.shell_command", 1)},
    ),
    "map over a command list": (
        'import os\nlist(map(os.system, ["rm -rf /tmp/cache"]))\n',
        {("python.proc.shell_command", 2)},
    ),
    "a name nothing defines": ('frobnicate("rm -rf /tmp/cache")\n', set()),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_called_name_is_judged_as_what_it_refers_to_in_its_scope(guard: Guard, name: str) -> None:
    code, expected = CASES[name]
    decision = guard.check(Subject(content=code, language="python", mode="execute"), Context())
    found = {
        (finding.rule_id, line)
        for finding in decision.findings
        if finding.rule_id.startswith("python.")
        for line in finding.lines
    }
    assert found == expected
