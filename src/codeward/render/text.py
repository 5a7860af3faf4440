"""A Decision as text a developer can act on without reading any other output."""

from __future__ import annotations

from codeward.model import Action, Decision

_MARK = {
    Action.ALLOW: ("✔", "32"),
    Action.NOTICE: ("ℹ", "36"),
    Action.CONFIRM: ("?", "33"),
    Action.REVIEW: ("⏸", "35"),
    Action.BLOCK: ("✖", "31"),
}
_MEANING = {
    Action.ALLOW: "may proceed",
    Action.NOTICE: "may proceed; worth knowing",
    Action.CONFIRM: "needs your confirmation or a stated intent",
    Action.REVIEW: "held for a reviewer",
    Action.BLOCK: "not this snippet, in this context",
}
MAX_SHOWN_LINES = 6


def render_text(decision: Decision, content: str | None = None, *, color: bool = False) -> str:
    def paint(text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if color else text

    mark, code = _MARK[decision.action]
    head = (
        f"{mark} {decision.action.value.upper()} · risk {decision.risk} · {decision.language} · "
        f"{decision.mode.value} — {_MEANING[decision.action]}"
    )
    out = [paint(head, "1;" + code)]
    if decision.id:
        out.append(f"  case {decision.id}")
    if content is not None:
        out.extend(_flagged_lines(decision, content, paint))

    out.append(paint("Why", "1"))
    out.extend(f"  • {reason}" for reason in decision.reasons)

    observed = decision.sandbox
    if observed:
        out.append(paint("Observed behaviour (sandbox)", "1"))
        for line in observed.get("lines", [])[:10]:
            out.append(f"  • {line}")
        caveats = observed.get("limits") or []
        if caveats:
            more = f" (+{len(caveats) - 1} more caveats in the JSON)" if len(caveats) > 1 else ""
            out.append(paint(f"  not proof of safety: {caveats[0]}{more}", "2"))

    intent = decision.intent
    trust = "trusted" if intent.authorized else "not trusted"
    out.append(paint("Intent", "1") + f"  {intent.name} ({intent.source}, {trust})")
    for item in intent.evidence[:4]:
        out.append(f"  · {item}")

    if decision.remedies:
        out.append(paint("What would change this", "1"))
        out.extend(f"  → {remedy}" for remedy in decision.remedies)

    policy = decision.policy
    rule = f" · rule {policy.rule}" if policy.rule else ""
    out.append(paint(f"policy {policy.id}@{policy.version}{rule} · decision {decision.decision_id}", "2"))
    if decision.review_id:
        out.append(paint(f"review {decision.review_id} is pending", "2"))
    out.append(paint(f"{decision.latency_ms:.2f} ms", "2"))
    return "\n".join(out)


def _flagged_lines(decision: Decision, content: str, paint: object) -> list[str]:
    flagged = sorted({line for finding in decision.findings for line in finding.lines if line > 0})
    if not flagged:
        return []
    lines = content.splitlines()
    shown = []
    for number in flagged[:MAX_SHOWN_LINES]:
        if number <= len(lines):
            text = lines[number - 1]
            text = text if len(text) <= 160 else text[:159] + "…"
            shown.append(f"  {number:>4} │ {text}")
    if len(flagged) > MAX_SHOWN_LINES:
        shown.append(f"       │ … {len(flagged) - MAX_SHOWN_LINES} more flagged line(s)")
    return shown
