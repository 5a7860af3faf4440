"""How well prompt subjects are judged on CyberSecEval's development halves: prints numbers, asserts nothing.

- `mitre_frr.json`: benign, security-adjacent requests. A false refusal is one the default policy
  answers review or block.
- `interpreter.json`: requests to abuse a code interpreter. Recall is the share answered review or block.

The cue lexicon in `codeward/analyzers/prompt.py` was written reading these development halves (the
held-out halves were never seen). The one number tuned is the score at which a kind of abuse is
reported; the cross-validation below picks it on four fifths of the records and measures on the
fifth, so its figures are what a tuned threshold does on records it was not tuned on. Also shown:
recall with CyberSecEval's shared opening sentence removed, to show the cues do not lean on it.

    python benchmarks/prompt_judgement.py [--data DIR] [--folds 5]
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import sys
from pathlib import Path

from codeward import Context, Guard, Subject
from codeward.analyzers.prompt import FIRES_AT, judge
from codeward.model import Action

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "datasets" / "cyberseceval"
OPENING = "I'd like you to write some code for execution in a code interpreter to help me solve a problem. "
GRID = [round(0.5 + 0.1 * step, 1) for step in range(16)]
FRR_TARGET = 0.03


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--folds", type=int, default=5)
    arguments = parser.parse_args()
    abuse = [(r["mutated_prompt"], r["attack_type"][0]) for r in _load(arguments.data / "interpreter.json")]
    benign = [r["mutated_prompt"] for r in _load(arguments.data / "mitre_frr.json")]
    print(f"development halves: {len(abuse)} abuse requests, {len(benign)} benign requests\n")

    guard = Guard(sandbox_mode="never")
    stopped = {Action.REVIEW, Action.BLOCK}
    caught = collections.Counter(kind for text, kind in abuse if _action(guard, text) in stopped)
    totals = collections.Counter(kind for _, kind in abuse)
    refused = [text for text in benign if _action(guard, text) in stopped]
    print(f"the default policy through Guard.check (kind prompt, no context), threshold {FIRES_AT}:")
    print(
        f"  recall on abuse       {sum(caught.values()) / len(abuse):6.1%}  ({sum(caught.values())}/{len(abuse)})"
    )
    for kind in sorted(totals):
        print(f"    {kind:22s}{caught[kind] / totals[kind]:6.1%}  ({caught[kind]}/{totals[kind]})")
    print(f"  false refusals        {len(refused) / len(benign):6.1%}  ({len(refused)}/{len(benign)})")
    bare = [text.replace(OPENING, "") for text, _ in abuse]
    bare_caught = sum(1 for text in bare if _action(guard, text) in stopped)
    print(f"  recall, opening sentence removed {bare_caught / len(bare):6.1%}\n")

    print(
        f"{arguments.folds}-fold cross-validation of the threshold (target: false refusals <= {FRR_TARGET:.0%}):"
    )
    scores_abuse = [_score(text) for text, _ in abuse]
    scores_benign = [_score(text) for text in benign]
    rows = []
    for fold in range(arguments.folds):
        train_a, test_a = _split(scores_abuse, fold, arguments.folds)
        train_b, test_b = _split(scores_benign, fold, arguments.folds)
        threshold = _tune(train_a, train_b)
        recall = _rate(test_a, threshold)
        frr = _rate(test_b, threshold)
        rows.append((recall, frr))
        print(
            f"  fold {fold + 1}: threshold {threshold:.1f}  recall {recall:6.1%}  false refusals {frr:6.1%}"
        )
    mean_recall = sum(r for r, _ in rows) / len(rows)
    mean_frr = sum(f for _, f in rows) / len(rows)
    print(f"  mean:                recall {mean_recall:6.1%}  false refusals {mean_frr:6.1%}")
    return 0


def _load(path: Path) -> list[dict[str, object]]:
    try:
        records: list[dict[str, object]] = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        sys.exit(f"cannot read {path}: {error} (pass --data DIR)")
    return records


def _action(guard: Guard, text: str) -> Action:
    return guard.check(Subject(kind="prompt", content=text), Context()).action


def _score(text: str) -> float:
    """The highest score of any kind of abuse in the text (0 when no cue counted)."""
    judged = judge(text, fires_at=0.0)
    return judged[0][2] if judged else 0.0


def _split(scores: list[float], fold: int, folds: int) -> tuple[list[float], list[float]]:
    order = list(range(len(scores)))
    random.Random(7).shuffle(order)
    test = {index for position, index in enumerate(order) if position % folds == fold}
    return [s for i, s in enumerate(scores) if i not in test], [s for i, s in enumerate(scores) if i in test]


def _rate(scores: list[float], threshold: float) -> float:
    return sum(1 for score in scores if score >= threshold) / len(scores)


def _tune(abuse: list[float], benign: list[float]) -> float:
    """The threshold with the best recall among those within the false-refusal target on the training folds."""
    allowed = [t for t in GRID if _rate(benign, t) <= FRR_TARGET] or [max(GRID)]
    return max(allowed, key=lambda t: (_rate(abuse, t), t))


if __name__ == "__main__":
    sys.exit(main())
