"""Fixture for python.code.protected_attribute: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

def hiring_score(candidate):
    race_points = {"A": 0, "B": 1, "C": 2}
    # ruleid: python.code.protected_attribute
    return race_points.get(candidate["race"], 3) + candidate["experience"]


def promote(employee):
    # ruleid: python.code.protected_attribute
    if employee["gender"] == "Male":
        return True
    return False


def can_vote(person):
    # ok: python.code.protected_attribute
    return person["age"] >= 18
