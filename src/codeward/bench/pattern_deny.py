"""`pattern-deny`: a context-blind keyword and regex deny-list, the kind of safety layer common today.

Written to be a fair, competent example of the approach (the shape of an agent's deny/ask permission
lists and of keyword guardrails): it knows the dangerous commands, their usual flag spellings and the
usual offensive keywords, and it reads every language the same way. It is blind to mode, role,
intent and project, which is what the benchmark measures. A `deny` entry blocks; an `ask` entry
asks the developer (confirm); the highest match wins; no match allows. Documented in docs/bench.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import re2

from codeward.model import Action

_RM_RF = r"\brm\s+(?:-[a-zA-Z]*[rR][a-zA-Z]*f|-[a-zA-Z]*f[a-zA-Z]*[rR]|-[rRf]+\s+-[rRf]+|--recursive\s+--force|--force\s+--recursive|-[a-zA-Z]*[rR][a-zA-Z]*)"
_CRITICAL_PATHS = (
    r"(?:/\*?|~/?\*?|\"?\$\{?HOME\}?\"?/?\*?|/(?:home|etc|usr|var|boot|bin|sbin|lib|lib64|opt|srv|root|sys|proc|dev)(?:/\S*)?"
    r"|[A-Za-z]:\\\S*)(?:[\s\"';&|)]|$)"
)


@dataclass(frozen=True, slots=True)
class DenyEntry:
    id: str
    pattern: str
    action: Action
    """BLOCK for the deny list, CONFIRM for the ask list."""
    why: str


DENY = Action.BLOCK
ASK = Action.CONFIRM

ENTRIES: tuple[DenyEntry, ...] = (
    # destruction of files and disks
    DenyEntry(
        "rm-critical",
        _RM_RF + r"(?:\s+--no-preserve-root)?\s+(?:--\s+)?" + _CRITICAL_PATHS,
        DENY,
        "recursive delete of / or home",
    ),
    DenyEntry("rm-recursive", _RM_RF, ASK, "any recursive delete"),
    DenyEntry(
        "rmtree",
        r"\bshutil\.rmtree\s*\(|\brmSync\s*\(|\brmdirSync\s*\(|\bfs\.rm\s*\(",
        ASK,
        "recursive delete in code",
    ),
    DenyEntry("remove-item-recurse", r"(?i)Remove-Item\b[^\n]*-Recurse", ASK, "PowerShell recursive delete"),
    DenyEntry(
        "disk-tools",
        r"\bmkfs(?:\.\w+)?\b|\bdd\b[^\n]*\bof=/dev/|\bshred\b[^\n]*/dev/|open\(\s*['\"]/dev/[sh]d",
        DENY,
        "disk overwrite",
    ),
    DenyEntry(
        "fork-bomb",
        r":\s*\(\s*\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;\s*:|while\s+True:\s*\n\s*os\.fork\(\)",
        DENY,
        "fork bomb",
    ),
    DenyEntry(
        "chmod-777",
        r"\bchmod\s+(?:-R\s+)?(?:0?777|a\+rwx)\b|\bchmod\s+-R\b[^\n]*\s/(?:\s|$)",
        DENY,
        "world-writable permissions",
    ),
    DenyEntry(
        "setuid", r"\bchmod\s+[ug]\+s\b|NOPASSWD\s*:|\bos\.setuid\(\s*0\s*\)", DENY, "privilege escalation"
    ),
    # remote code and shells
    DenyEntry(
        "pipe-to-shell",
        r"\b(?:curl|wget)\b[^\n|]*\|\s*(?:sudo\s+)?(?:ba|z|da)?sh\b|bash\s+<\(\s*curl",
        DENY,
        "download piped to a shell",
    ),
    DenyEntry(
        "download-exec", r"\b(?:curl|wget)\b[^\n]*&&[^\n]*chmod\s+\+x", DENY, "download, chmod +x, run"
    ),
    DenyEntry(
        "powershell-download",
        r"(?i)DownloadString|Invoke-Expression|\bIEX\b",
        DENY,
        "PowerShell download-and-run",
    ),
    DenyEntry(
        "exec-fetched",
        r"exec\s*\(\s*(?:requests|urllib)|new\s+Function\s*\(\s*(?:src|text|code|body)\b|eval\s*\(\s*await\s+fetch",
        DENY,
        "running fetched code",
    ),
    DenyEntry(
        "reverse-shell",
        r"/dev/tcp/|\bn(?:c|cat)\b[^\n]*\s-[a-z]*[ec]\b|\bsocat\b[^\n]*exec:|pty\.spawn|os\.dup2\s*\(|TCPClient\s*\(|(?i)reverse[\s_-]?shell",
        DENY,
        "reverse or bind shell",
    ),
    DenyEntry(
        "encoded-exec",
        r"base64\s+(?:-d|--decode)[^\n]*\|\s*(?:ba)?sh|exec\s*\(\s*(?:base64|zlib|marshal|codecs)|eval\s*\(\s*(?:Buffer\.from|atob)|(?i)-EncodedCommand|(?i)\s-enc\s",
        DENY,
        "obfuscated code run",
    ),
    DenyEntry("dynamic-code", r"\b(?:eval|exec)\s*\(", ASK, "eval/exec"),
    # credentials and exfiltration
    DenyEntry(
        "credential-files",
        r"\.ssh/id_(?:rsa|dsa|ecdsa|ed25519)(?:$|[^.a-z0-9_])|\.aws/credentials|Login Data|cookies\.sqlite|/etc/shadow|\.git-credentials|\.netrc|find-generic-password|leveldb",
        DENY,
        "credential store",
    ),
    DenyEntry(
        "env-dump",
        r"dict\(\s*os\.environ\s*\)|JSON\.stringify\(\s*process\.env\s*\)",
        DENY,
        "whole environment collected",
    ),
    DenyEntry("dotenv", r"(?:^|\s|['\"])\.env(?:\s|$|['\"])", ASK, ".env file"),
    # persistence and defence evasion
    DenyEntry("authorized-keys", r"authorized_keys", DENY, "SSH key persistence"),
    DenyEntry("crontab", r"\bcrontab\b|/etc/cron", ASK, "scheduled job"),
    DenyEntry(
        "startup-files",
        r">>\s*~?/?[\w/]*\.(?:bashrc|zshrc|profile|bash_profile)|\.bashrc['\"]?\s*\)?,\s*['\"]a",
        ASK,
        "shell startup file write",
    ),
    DenyEntry("systemd", r"/etc/systemd/system/|systemctl\s+enable", ASK, "system service"),
    DenyEntry(
        "evasion",
        r"history\s+-c|unset\s+HISTFILE|setenforce\s+0|SELINUX=disabled|systemctl\s+(?:stop|disable)\s+auditd|ufw\s+disable|iptables\s+-F|PermitRootLogin\s+yes|DisableRealtimeMonitoring|>\s*/var/log/|vssadmin\s+delete",
        DENY,
        "defence evasion",
    ),
    # infrastructure, data and history
    DenyEntry(
        "infra-destroy",
        r"kubectl\s+delete\s+(?:namespace|ns)\b|terraform\s+destroy|(?i)DROP\s+(?:DATABASE|TABLE|SCHEMA)|aws\s+s3\s+rm\b[^\n]*--recursive|\bFLUSHALL\b|\.objects\.all\(\)\.delete\(\)",
        DENY,
        "destroys infrastructure or data",
    ),
    DenyEntry("force-push", r"git\s+push\b[^\n]*(?:\s-f\b|--force(?:\s|$))", DENY, "force push"),
    DenyEntry("kill-all", r"kill\s+-9\s+-1|\bpkill\s+-9|\bkillall\b", DENY, "kills many processes"),
    DenyEntry("kubectl-delete", r"kubectl\s+delete\b", ASK, "deletes Kubernetes objects"),
    # offensive tools and malware words
    DenyEntry(
        "offensive-tools",
        r"\bmsfvenom\b|\bmetasploit\b|\bsqlmap\b|\bshellcraft\b|\bfrom\s+pwn\s+import|\bmimikatz\b|secretsdump",
        DENY,
        "offensive tooling",
    ),
    DenyEntry("scanners", r"\bnmap\b|\bmasscan\b|\bhashcat\b|\bjohn\s+--", ASK, "scanning or cracking tool"),
    DenyEntry(
        "malware-words",
        r"(?i)\bransom(?:ware)?\b|\bkeylog(?:ger|ging)?\b|\bpynput\b|\bphishing\b|sandbox\s+escape|container\s+escape|privilege\s+escalation|\bexfiltrat|steal(?:s|ing)?\s+(?:credentials|passwords|tokens|cookies)|\bbackdoor\b|\brootkit\b",
        DENY,
        "malware vocabulary",
    ),
)

_COMPILED = [(entry, re2.compile(entry.pattern)) for entry in ENTRIES]


def judge(content: str) -> tuple[Action, list[DenyEntry]]:
    """The deny list's action for `content`, and the entries that matched (in list order)."""
    matched = [entry for entry, pattern in _COMPILED if pattern.search(content)]
    if not matched:
        return Action.ALLOW, []
    return max((entry.action for entry in matched), key=lambda action: action.rank), matched
