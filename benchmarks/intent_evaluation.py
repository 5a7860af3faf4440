"""Intent inference on real project layouts: accuracy, confusion matrix and calibration. Prints, asserts nothing.

The projects are listed in bench/projects/projects.yaml (labels and how they were decided:
bench/projects/DATASHEET.md); their manifests are built by benchmarks/intent_build_manifests.py.
Every score is name-blind (the project's own name is masked) unless --names is given.

It prints, in order: the calibration refitted on `dev` beside the shipped one; `dev` and `test` with
the shipped calibration; leave-one-out over dev+test (each project judged with a calibration fitted
on all the others); how often `intent.mismatch` fires on true and on contradicting declarations; and
`holdout`, projects added after the lexicon and calibration were fixed.

    python benchmarks/intent_evaluation.py [--names] [--projects DIR]

A --projects folder without projects.yaml is read as labelled manifests alone (each JSON with
`files`, `dependencies`, `readme` and `label`) and scored as a holdout.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from codeward.intent.evaluation import evaluate, fit_calibration, leave_one_out, load_projects, mismatches
from codeward.intent.infer import CALIBRATION

ROOT = Path(__file__).resolve().parent.parent / "bench" / "projects"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--projects", type=Path, default=ROOT, help="A folder with projects.yaml and manifests/."
    )
    parser.add_argument("--names", action="store_true", help="Leave the projects' own names visible.")
    arguments = parser.parse_args()
    names = arguments.names
    root = arguments.projects

    dev = load_projects(root, splits=["dev"])
    print(f"calibration shipped: {CALIBRATION}")
    print(f"({'names visible' if names else 'name-blind: each project’s own name masked'})\n")
    if dev:
        print(f"calibration fitted on dev ({len(dev)} projects): {fit_calibration(dev, names=names)}\n")
        for split in ("dev", "test"):
            print(f"== {split} (shipped calibration)")
            print(evaluate(load_projects(root, splits=[split]), names=names).text(), "\n")
        print("== leave-one-out over dev+test (calibration refitted without the project judged)")
        print(leave_one_out(load_projects(root, splits=["dev", "test"]), names=names).text(), "\n")
        print(
            "== intent.mismatch over dev+test: each project's own label declared, then each contradicting intent"
        )
        print(mismatches(load_projects(root, splits=["dev", "test"]), names=names).text(), "\n")
    holdout = load_projects(root, splits=["holdout"])
    if holdout:
        print("== holdout (shipped calibration; added after the lexicon and calibration were fixed)")
        print(evaluate(holdout, names=names).text())
        print(mismatches(holdout, names=names).text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
