"""Fixture for python.exec.dynamic: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import ast


def calculate(expression):
    # ruleid: python.exec.dynamic
    return eval(expression)


# ruleid: python.exec.dynamic
value = eval(input("expression: "))
# ruleid: python.exec.dynamic
exec("total = 1 + 2")
# ok: python.exec.dynamic
literal = ast.literal_eval("[1, 2, 3]")
# ok: python.exec.dynamic
model.eval()
