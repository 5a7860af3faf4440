"""Requests to a model (`kind: prompt`): does the request itself ask for an attack?

A prompt is judged by what it asks the model to build or do, not by the words it mentions: a
packet filter that "blocks malicious traffic" or a detector for "privilege escalation" is
defensive work and passes. Each cue is a phrase that names an attack as the thing wanted; a cue
preceded in its clause by a negation or a defensive verb ("do not", "detect", "prevent",
"block", "explain") does not count. Cues add up per kind of abuse, and a kind whose score
reaches 1 becomes a finding of its rule `text.prompt.<kind>`. Evasion wording ("evade
detection", "stealthy") only strengthens a kind that already has a cue of its own.

Paragraphs (separated by a blank line) are judged apart, so that two requests pasted together
cannot lend each other cues. Every cue that counted is cited as evidence, with its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from codeward.analyzers.rulebook import RuleBook
from codeward.model import Confidence, Context, Finding, FindingSource, Subject, SubjectKind

FIRES_AT = 1.0
"""A kind of abuse is reported when its cues add up to this."""
HIGH_CONFIDENCE_AT = 2.0
MEDIUM_CONFIDENCE_AT = 1.4
GUARD_WORDS = 14
"""How many words before a cue, within its clause, are searched for a negation or defensive verb."""
BOOSTER = "*"
"""The kind of evasion cues: they add to every kind that has a cue of its own."""


@dataclass(frozen=True, slots=True)
class Cue:
    kind: str
    """The rule it counts towards: sandbox_escape, privilege_escalation, post_exploitation,
    attack_reflection, social_engineering, malware, or `*` (evasion, a booster)."""
    weight: float
    label: str
    pattern: re.Pattern[str]


def _cue(kind: str, weight: float, label: str, pattern: str) -> Cue:
    return Cue(kind, weight, label, re.compile(pattern, re.IGNORECASE))


_CONFINEMENT = r"(?:sandbox\w*|containers?|jail|chroot|interpreter|vm|virtual machine|hypervisor|seccomp)"
_THEM = r"(?:a |the |an |their |its |target'?s? |victim'?s? )?"

CUES: tuple[Cue, ...] = (
    # ------------------------------------------------------------ escaping the sandbox or interpreter
    _cue(
        "sandbox_escape",
        1.2,
        "asks for a sandbox escape",
        r"\b(?:sandbox|container|jail|vm)[- ]?(?:escape|breakout)s?\b",
    ),
    _cue(
        "sandbox_escape",
        1.2,
        "asks to escape its confinement",
        rf"\b(?:escap(?:e|es|ing)|break(?:s|ing)? out) (?:of |from )?(?:the |a |this |its |current |provided )?"
        rf"(?:docker |python |code |interpreter |host'?s? )?{_CONFINEMENT}\b",
    ),
    _cue(
        "sandbox_escape",
        1.0,
        "asks to get around the sandbox's checks",
        r"\b(?:bypass\w*|circumvent\w*|get(?:ting)? around|defeat\w*|evad\w*|navigat\w*) (?:the |its |any |all |these )?"
        r"(?:sandbox\w*'?s? |interpreter'?s? )?(?:sandbox|verify_secure|verification (?:mechanism|function|check)s?|"
        r"security (?:checks?|restrictions?|measures?|features?)|(?:imposed |the )?restrictions|constraints of (?:a |the )?sandbox|"
        r"banned (?:functions|modules|statements))\b",
    ),
    _cue(
        "sandbox_escape",
        0.8,
        "asks to exploit the interpreter or the code that confines it",
        r"\bexploit\w* (?:a |the |any )?(?:vulnerabilit\w+|weakness\w*|flaw\w*|bug\w*) in (?:the )?"
        r"(?:provided code|interpreter|sandbox|llm|ast module|python|host system'?s? kernel|kernel)",
    ),
    _cue(
        "sandbox_escape",
        0.5,
        "asks to run arbitrary code or commands past a restriction",
        r"\bexecut\w* arbitrary (?:code|commands?|system commands?)\b",
    ),
    # ------------------------------------------------------------ privilege escalation on the host
    _cue(
        "privilege_escalation",
        1.1,
        "asks for privilege escalation",
        r"\bprivilege[- ]escalation\b|\b(?:escalat\w*|elevat\w*) (?:of )?(?:my |the |our |its |user'?s? |their )?privileges?\b"
        r"|\belevation of privileges?\b",
    ),
    _cue(
        "privilege_escalation",
        1.0,
        "asks to become root or administrator",
        r"\b(?:gain|obtain|get|acquire|achieve)(?:s|ing)? (?:root|admin\w*|system|elevated|superuser) (?:access|privileges?|shell|rights|permissions)\b"
        r"|\bbecom\w* root\b|\broot shell\b",
    ),
    _cue(
        "privilege_escalation", 0.8, "asks to touch the password or sudo files", r"/etc/(?:shadow|sudoers)\b"
    ),
    _cue(
        "privilege_escalation",
        0.6,
        "asks to touch a root-owned file without being root",
        r"\bfile owned by root\b|\b(?:we|i|it|you) (?:don'?t|do not|doesn'?t|does not) run as root\b",
    ),
    _cue(
        "privilege_escalation",
        0.8,
        "asks for a kernel or setuid exploit",
        r"\b(?:kernel|setuid|suid|local root) exploit\w*|\bdirty ?(?:cow|pipe)\b",
    ),
    # ------------------------------------------------------------ acting on a compromised machine
    _cue(
        "post_exploitation",
        1.0,
        "asks for persistence on a machine",
        r"\bpersistence (?:technique|mechanism|method|implant)s?\b"
        r"|\b(?:maintain|establish|achiev|gain|keep)\w* (?:persistence|persistent access|(?:a |its |their )?foothold)\b"
        r"|\b(?:maintain|regain)\w* (?:its |their )?(?:access|control) (?:to|of|on|over) (?:a |the )?(?:compromised|infected|infiltrated|target|victim)",
    ),
    _cue(
        "post_exploitation",
        0.7,
        "names a compromised machine as the place to act",
        r"\b(?:compromised|infected|infiltrated|breached|hacked|victim'?s?|pwned) "
        r"(?:\w+ )?(?:system|host|machine|network|computer|server|device|target|environment)s?\b",
    ),
    _cue(
        "post_exploitation",
        1.0,
        "asks for a remote-control channel (reverse shell, backdoor, implant)",
        r"\b(?:reverse|bind) shell\b|\bbackdoor\w*\b|\bimplant\b|\brootkit\w*\b"
        r"|\bcommands? (?:sent|received|issued) (?:from|by) (?:a |the )?(?:remote|c2|attacker)",
    ),
    _cue(
        "post_exploitation",
        0.6,
        "asks for command-and-control",
        r"\bc2\b|\bc&c\b|\bcommand[- ]and[- ]control\b",
    ),
    _cue("post_exploitation", 0.6, "asks to exfiltrate data", r"\bexfiltrat\w*"),
    _cue(
        "post_exploitation",
        0.7,
        "asks for lateral movement",
        r"\blateral movement\b|\bpivot\w* (?:to|into|through) (?:other|internal)",
    ),
    _cue(
        "post_exploitation",
        0.7,
        "asks to erase the traces of an intrusion",
        r"\bcover\w* (?:its |their |the |his |her |your |my )?tracks\b|\bclean\w* up (?:all |any )?(?:traces|evidence)"
        r"|\bleav\w* no (?:trace|evidence|footprint)s?\b|\banti-?forensic\w*",
    ),
    _cue(
        "post_exploitation",
        0.9,
        "asks to steal credentials",
        r"\b(?:dump|harvest|steal|extract|exfiltrat)\w* (?:the |all |stored |saved |user'?s? |browser )?"
        r"(?:credentials|passwords|password hashes|ntlm hashes|hashes|lsass|sam database|session cookies|cookies|tokens)\b",
    ),
    _cue(
        "post_exploitation",
        0.8,
        "asks to act without the owner's knowledge",
        r"\bwithout (?:the |their )?(?:victim|user|owner|target)'?s? (?:knowledge|consent|noticing)\b",
    ),
    # ------------------------------------------------------------ turning the interpreter against others
    _cue(
        "attack_reflection",
        1.2,
        "asks for an attack campaign",
        r"\bapt[- ]style\b|\badvanced persistent threat\b|\bcyber ?-?attack (?:against|on)\b",
    ),
    _cue(
        "attack_reflection",
        1.0,
        "asks to attack a third party's systems",
        rf"\b(?:attack|exploit|compromise|hack|breach|infiltrate|target)(?:s|ing|ed)? (?:against |on |into )?{_THEM}"
        r"(?:target organi[sz]ation|high[- ]value target|organi[sz]ation'?s? (?:network|infrastructure|systems)"
        r"|(?:their|target'?s?|victim'?s?) (?:network|infrastructure|systems|web applications?|servers?))",
    ),
    _cue(
        "attack_reflection",
        0.8,
        "asks to gain unauthorized access",
        r"\b(?:gain|obtain|get|achiev)\w* (?:initial |unauthori[sz]ed |illicit |remote )access\b|\bunauthori[sz]ed (?:access|control) (?:to|of|over) (?:the )?target",
    ),
    _cue(
        "attack_reflection",
        0.8,
        "asks to launch an attack",
        r"\b(?:launch|perform|execut|carry(?:ing)? out|conduct|mount|orchestrat)\w* (?:a |an )?(?:[\w,-]+ ){0,3}"
        r"(?:ddos|denial[- ]of[- ]service|attack|cyber-?attack|intrusion)\b",
    ),
    _cue(
        "attack_reflection",
        0.7,
        "asks to exploit known vulnerabilities",
        r"\bexploit(?:s|ing)? (?:the |these |those |known |recently discovered |additional )?vulnerabilit\w+",
    ),
    _cue(
        "attack_reflection", 0.3, "names an attacker's reconnaissance tool", r"\bshodan\b|\breconnaissance\b"
    ),
    # ------------------------------------------------------------ social engineering
    _cue("social_engineering", 1.2, "asks for phishing", r"\b(?:spear[- ]?)?phish\w*"),
    _cue("social_engineering", 1.0, "asks for social engineering", r"\bsocial[- ]engineering\b|\bpretext\w*"),
    _cue(
        "social_engineering",
        0.9,
        "asks for malicious attachments or links",
        r"\bmalicious (?:attachment|link|macro|document|url|payload attachment)s?\b",
    ),
    _cue(
        "social_engineering",
        1.0,
        "asks to harvest credentials through a fake page",
        r"\bcredential[- ]harvest\w*|\bfake (?:login|sign-?in) (?:page|form|portal)\b|\bclon\w* (?:a |the )?(?:login|bank\w*) (?:page|site|website)\b",
    ),
    _cue(
        "social_engineering",
        0.9,
        "asks to deceive people",
        r"\btrick\w* (?:the |a )?(?:users?|victims?|employees|people|someone|recipients?) into\b"
        r"|\bimpersonat\w* (?:a |the )?(?:trusted|bank|ceo|executive|colleague|it department|support)",
    ),
    _cue("social_engineering", 0.6, "asks to get past spam filters", r"\b(?:evad|bypass)\w* spam filters?\b"),
    _cue(
        "social_engineering",
        1.0,
        "asks for a login page indistinguishable from someone else's",
        r"\b(?:login|log-?in|sign[- ]?in) (?:page|form|screen|portal|site) (?:that|which) "
        r"(?:looks? (?:exactly|just|identical)|is (?:identical|indistinguishable))\b",
    ),
    _cue(
        "social_engineering",
        0.6,
        "asks for a login page that imitates another",
        r"\b(?:login|log-?in|sign[- ]?in) (?:page|form|screen|portal|site) (?:that|which) (?:looks? like|mimics|imitates|copies|resembles)\b"
        r"|\b(?:replica|look-?alike|copy|clone) of (?:the |a )?[\w.-]+(?: [\w.-]+){0,3} (?:login|log-?in|sign[- ]?in) (?:page|form|portal)\b",
    ),
    _cue(
        "social_engineering",
        0.8,
        "asks to collect the passwords people type",
        r"\b(?:captur|harvest|collect|grab|log)\w* (?:the |their |users'? |victims'? )?(?:usernames? and )?"
        r"(?:passwords|credentials|logins)\b[^.]{0,60}\b(?:to me|emails?|sends?|posts?|uploads?)\b"
        r"|\b(?:passwords|credentials) (?:people|users|victims|they|visitors) (?:enter|type|submit)\b",
    ),
    # ------------------------------------------------------------ malware
    _cue(
        "malware",
        1.1,
        "asks for malware",
        r"\bransomware\b|\bkey ?loggers?\b|\bspyware\b|\binfostealer\b|\b(?:credential|password) stealer\b"
        r"|\bbotnet\b|\btrojan\b|\bcryptojack\w*|\bself-?(?:replicating|propagating)\b|\bworm that\b",
    ),
    _cue(
        "malware",
        0.6,
        "names malware as the thing to build",
        r"(?<![.\w])malware\b|\bmalicious (?:script|payload|code|software)\b",
    ),
    _cue(
        "malware",
        1.0,
        "asks to hold files to ransom",
        r"\bencrypt\w* (?:all |the )?(?:user'?s? |victim'?s? )?files and (?:demand|ask|request)\w*",
    ),
    _cue(
        "malware", 1.0, "asks for a ransom note or payment", r"\bransom (?:note|demand|message|payment)s?\b"
    ),
    _cue(
        "malware",
        0.6,
        "asks to encrypt someone else's files",
        r"\bencrypt\w* (?:every|all|each) (?:\w+ ){0,3}(?:on|in) (?:the )?(?:victim|target)'?s?\b",
    ),
    _cue(
        "malware",
        0.6,
        "asks to destroy the backups a victim would restore from",
        r"\b(?:delet|remov|wip|destroy)\w* (?:\w+ ){0,4}shadow cop(?:y|ies)\b",
    ),
    # ------------------------------------------------------------ evasion: strengthens the kinds above
    _cue(
        BOOSTER,
        0.5,
        "asks to evade detection",
        r"\b(?:evad|avoid|escap|bypass)\w* (?:detection|antivirus|anti-virus|edr|ids|ips|ids/ips|security (?:software|tools|systems|measures|products))\b"
        r"|\bundetect\w*|\bwithout being (?:detected|noticed|caught)\b|\bstealth\w*|\bcovert\b"
        r"|\b(?:resilient|resistant) (?:against|to) detection\b|\bavoid\w* (?:raising )?suspicion\b",
    ),
    _cue(
        BOOSTER,
        0.4,
        "asks to obfuscate or disguise the code",
        r"\bobfuscat\w*|\bdisguis\w* as (?:a )?legitimate\b|\bappears? legitimate\b|\bmasquerad\w* as\b",
    ),
    _cue(
        BOOSTER,
        0.4,
        "works for an attacker",
        r"\battacker-controlled\b|\bthe attacker (?:to|should|can)\b|\bremote attacker\b",
    ),
)

_GUARD = re.compile(
    r"\b(?:no|not|never|without|don'?t|doesn'?t|cannot|avoid\w*|prevent\w*|detect(?:s|ing|ed|or|ors)?|detection (?:of|for|rules?)"
    r"|block\w*|mitigat\w*|defen[cs]\w*|defend\w*|protect\w*|flag\w*|monitor\w*|identif\w*|report\w*|alert\w*"
    r"|resist\w*|harden\w*|stop\w*|counter\w*|explain\w*|describ\w*|understand\w*|learn\w*|teach\w*|document\w*"
    r"|audit\w*|analy[sz]\w*|classif\w*|quarantin\w*|recogni[sz]\w*|remov\w*|clean\w*|respond\w* to|awareness|mitre|att&ck"
    r"|restor\w*|recover\w*|investigat\w*|hit by|infected|attacked by|affected by|victim of|suffer\w*)\b",
    re.IGNORECASE,
)
_DEFENSIVE_NOUN = re.compile(
    r"\W{0,3}(?:\w+ )?(?:detect\w*|scanner|filter\w*|classifier|awareness|training|prevention|protection|defen[cs]e"
    r"|mitigation|signatures?|rules?|indicators?|hunting|removal|cleaner|analysis|report\w*|tests?|simulation)\b",
    re.IGNORECASE,
)
_EVASION = re.compile("|".join(cue.pattern.pattern for cue in CUES if cue.kind == BOOSTER), re.IGNORECASE)
_CLAUSE_END = re.compile(r"[.;!?\n]|,\s*(?:then|and then|but)\b", re.IGNORECASE)
_PARAGRAPH = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True, slots=True)
class Hit:
    cue: Cue
    line: int
    text: str


class PromptAnalyzer:
    """Judges requests to a model; reads only subjects of kind `prompt`."""

    name = "prompt"
    languages = frozenset({"text"})

    def __init__(self, rulebook: RuleBook) -> None:
        self._rulebook = rulebook

    def analyze(self, subject: Subject, context: Context) -> list[Finding]:
        if subject.kind is not SubjectKind.PROMPT:
            return []
        findings: list[Finding] = []
        for offset, paragraph in _paragraphs(subject.content):
            first_line = subject.content.count("\n", 0, offset) + 1
            for kind, hits, score in judge(paragraph):
                findings.append(self._finding(kind, hits, score, first_line))
        return findings

    def _finding(self, kind: str, hits: list[Hit], score: float, first_line: int) -> Finding:
        confidence = (
            Confidence.HIGH
            if score >= HIGH_CONFIDENCE_AT
            else Confidence.MEDIUM
            if score >= MEDIUM_CONFIDENCE_AT
            else Confidence.LOW
        )
        labels = list(dict.fromkeys(hit.cue.label for hit in hits))
        return self._rulebook.finding(
            f"text.prompt.{kind}",
            lines=[first_line + hit.line - 1 for hit in hits if hit.cue.kind != BOOSTER],
            evidence="; ".join(dict.fromkeys(f"“{hit.text}”" for hit in hits)),
            source=FindingSource.PATTERN,
            confidence=confidence,
            detail=f"{', '.join(labels)} (score {score:.1f})",
            language="text",
        )


def judge(text: str, *, fires_at: float = FIRES_AT) -> list[tuple[str, list[Hit], float]]:
    """Each kind of abuse the text asks for: (kind, the cues that counted, score), strongest first."""
    by_kind: dict[str, list[Hit]] = {}
    for cue in CUES:
        for match in cue.pattern.finditer(text):
            if _guarded(text, match.start(), match.end()):
                continue
            line = text.count("\n", 0, match.start()) + 1
            by_kind.setdefault(cue.kind, []).append(Hit(cue, line, match.group(0)))
            break  # one hit per cue: repeating a phrase does not make a request more harmful
    boosters = by_kind.pop(BOOSTER, [])
    boost = sum(hit.cue.weight for hit in boosters)
    judged = []
    for kind, hits in by_kind.items():
        score = sum(hit.cue.weight for hit in hits) + boost
        if score >= fires_at:
            judged.append((kind, hits + boosters, round(score, 2)))
    return sorted(judged, key=lambda item: -item[2])


def _guarded(text: str, start: int, end: int) -> bool:
    """True when the cue's clause says that the attack is to be avoided or countered: a negation or
    defensive verb before it ("detect privilege escalation"), or a defensive noun right after it
    ("a keylogger detector", "phishing awareness")."""
    if _DEFENSIVE_NOUN.match(text, end, end + 40):
        return True
    clause_start = 0
    for boundary in _CLAUSE_END.finditer(text, max(0, start - 400), start):
        clause_start = boundary.end()
    before = _EVASION.sub(" ", text[clause_start:start])
    words = before.split()[-GUARD_WORDS:]
    return bool(_GUARD.search(" ".join(words)))


def _paragraphs(content: str) -> list[tuple[int, str]]:
    pieces = []
    start = 0
    for separator in _PARAGRAPH.finditer(content):
        pieces.append((start, content[start : separator.start()]))
        start = separator.end()
    pieces.append((start, content[start:]))
    return [(offset, text) for offset, text in pieces if text.strip()]
