"""The decoy home and the project's decoy secrets: canary credentials whose every touch is reported.

Each run gets fresh canary values, so that a value seen in the snippet's output, or a file read,
is attributable to this run. Real secrets in the project view (`.env`, key files, credentials in
config files) are replaced by decoys of the same shape before the snippet starts.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from codeward.redaction import find_secrets


@dataclass(frozen=True, slots=True)
class Decoy:
    path: str
    """Relative to the home (or the project, for project decoys)."""
    content: bytes
    capability: str | None
    """The `cred.read.*` capability a read of it means; None for startup files and other bait."""
    mode: int = 0o600
    label: str = ""


@dataclass(frozen=True, slots=True)
class CanarySet:
    """The run's canary values; any of them in the output means a decoy was read and shown."""

    token: str
    values: dict[str, str] = field(default_factory=dict)
    """value -> the decoy file it lives in."""

    def found_in(self, text: str) -> list[str]:
        return sorted({where for value, where in self.values.items() if value in text})

    def mask(self, text: str) -> str:
        for value, where in self.values.items():
            text = text.replace(value, f"[decoy from {where}]")
        return text


PERSISTENCE = (
    (re.compile(r"^\.ssh/authorized_keys2?$"), "persist.ssh_authorized_keys"),
    (
        re.compile(
            r"^\.(bashrc|bash_profile|bash_login|bash_logout|profile|zshrc|zprofile|zshenv|zlogin|kshrc|cshrc|tcshrc|xprofile|xinitrc)$|^\.config/fish/config\.fish$"
        ),
        "fs.write.shell_startup",
    ),
    (re.compile(r"^\.config/systemd/user/|^\.local/share/systemd/user/"), "persist.systemd"),
    (re.compile(r"^\.config/autostart/"), "persist.systemd"),
)
"""Home-relative locations whose change means the code tries to run again later."""

SYSTEM_PERSISTENCE = (
    (re.compile(r"^/var/spool/cron/|^/etc/cron|^/etc/anacrontab$|^/var/spool/anacron/"), "persist.cron"),
    (
        re.compile(r"^/etc/systemd/|^/lib/systemd/system/|^/usr/lib/systemd/system/|^/etc/init\.d/"),
        "persist.systemd",
    ),
    (re.compile(r"^/etc/profile(\.d/|$)|^/etc/bash\.bashrc$|^/etc/zsh/"), "fs.write.shell_startup"),
    (re.compile(r"^/etc/rc\.local$|^/etc/ld\.so\.preload$"), "persist.systemd"),
)
CRON_SPOOL = "/var/spool/cron/crontabs"


def canaries() -> CanarySet:
    return CanarySet(token=secrets.token_hex(6))


def home_decoys(canary: CanarySet, user: str) -> list[Decoy]:
    """The decoy home's files. Registers every secret value in `canary`."""
    token = canary.token.upper()

    def remember(value: str, where: str) -> str:
        canary.values[value] = where
        return value

    aws_id = remember("AKIA" + (token + "CWDECOY0000000000")[:16], "~/.aws/credentials")
    aws_secret = remember(("cwdecoy" + canary.token + "x" * 40)[:40], "~/.aws/credentials")
    github = remember("ghp_" + ("cwdecoy" + canary.token + "0" * 36)[:36], "~/.git-credentials")
    npm = remember("npm_" + ("cwdecoy" + canary.token + "0" * 36)[:36], "~/.npmrc")
    key_body = remember(
        base64.b64encode(f"codeward decoy key {canary.token} ".encode() * 6).decode(), "~/.ssh/id_rsa"
    )
    cookie = remember(f"cwdecoy-session-{canary.token}", "browser cookie stores")
    env_value = remember(f"cwdecoy-{canary.token}-home-env", "~/.env")
    docker = remember(
        base64.b64encode(f"{user}:cwdecoy-{canary.token}".encode()).decode(), "~/.docker/config.json"
    )
    gcloud = remember(f"1//cwdecoy-{canary.token}-refresh", "~/.config/gcloud")
    kube = remember(f"cwdecoy-{canary.token}-kube-token", "~/.kube/config")

    private_key = (
        "-----BEGIN OPENSSH PRIVATE KEY-----\n"
        + "\n".join(key_body[i : i + 70] for i in range(0, len(key_body), 70))
        + "\n-----END OPENSSH PRIVATE KEY-----\n"
    )
    public_key = f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{canary.token}codewarddecoy {user}@workstation\n"
    sqlite_header = b"SQLite format 3\x00"
    return [
        Decoy(".ssh/id_rsa", private_key.encode(), "cred.read.ssh_key", label="SSH private key"),
        Decoy(".ssh/id_ed25519", private_key.encode(), "cred.read.ssh_key", label="SSH private key"),
        Decoy(".ssh/id_rsa.pub", public_key.encode(), None, 0o644),
        Decoy(".ssh/authorized_keys", public_key.encode(), None),
        Decoy(
            ".ssh/known_hosts",
            b"github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n",
            None,
            0o644,
        ),
        Decoy(
            ".aws/credentials",
            f"[default]\naws_access_key_id = {aws_id}\naws_secret_access_key = {aws_secret}\n".encode(),
            "cred.read.cloud",
            label="AWS credentials",
        ),
        Decoy(".aws/config", b"[default]\nregion = us-east-1\n", "cred.read.cloud", 0o644),
        Decoy(
            ".config/gcloud/application_default_credentials.json",
            f'{{"type": "authorized_user", "refresh_token": "{gcloud}"}}\n'.encode(),
            "cred.read.cloud",
            label="Google Cloud credentials",
        ),
        Decoy(
            ".kube/config",
            f"apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    token: {kube}\n".encode(),
            "cred.read.cloud",
            label="Kubernetes credentials",
        ),
        Decoy(
            ".docker/config.json",
            f'{{"auths": {{"registry.example.com": {{"auth": "{docker}"}}}}}}\n'.encode(),
            "cred.read.token_file",
        ),
        Decoy(".git-credentials", f"https://{user}:{github}@github.com\n".encode(), "cred.read.token_file"),
        Decoy(".npmrc", f"//registry.npmjs.org/:_authToken={npm}\n".encode(), "cred.read.token_file"),
        Decoy(
            ".netrc",
            f"machine api.example.com login {user} password {github}\n".encode(),
            "cred.read.token_file",
        ),
        Decoy(".env", f"API_KEY={env_value}\n".encode(), "cred.read.env_file"),
        Decoy(
            ".config/google-chrome/Default/Cookies",
            sqlite_header + f"\x00cookies session={cookie}\x00".encode(),
            "cred.read.browser",
            label="Chrome cookies",
        ),
        Decoy(
            ".config/google-chrome/Default/Login Data",
            sqlite_header + f"\x00logins {cookie}\x00".encode(),
            "cred.read.browser",
        ),
        Decoy(
            ".mozilla/firefox/decoy.default-release/cookies.sqlite",
            sqlite_header + f"\x00moz_cookies session={cookie}\x00".encode(),
            "cred.read.browser",
        ),
        Decoy(
            ".mozilla/firefox/decoy.default-release/logins.json",
            f'{{"logins": [{{"encryptedPassword": "{cookie}"}}]}}\n'.encode(),
            "cred.read.browser",
        ),
        Decoy(
            ".gnupg/private-keys-v1.d/decoy.key",
            f"(private-key decoy {canary.token})\n".encode(),
            "cred.read.keyring",
        ),
        Decoy(".bashrc", b"# ~/.bashrc\nexport HISTCONTROL=ignoredups\nalias ll='ls -l'\n", None, 0o644),
        Decoy(".profile", b"# ~/.profile\nif [ -f ~/.bashrc ]; then . ~/.bashrc; fi\n", None, 0o644),
        Decoy(".bash_history", b"git status\nmake test\n", None),
    ]


HOME_DIRS = (".config/systemd/user", ".cache", ".local/share")
"""Empty folders the decoy home also has, so that writes into them are ordinary writes."""

_SECRET_NAMES = re.compile(
    r"(^|/)(\.env(\.(?!example$|sample$|template$|dist$)[\w.-]+)?|\.netrc|\.npmrc|\.pypirc|\.git-credentials|\.pgpass|"
    r"credentials(\.json)?|secrets?\.(json|ya?ml|toml|ini|env)|id_(rsa|dsa|ecdsa|ed25519)|[\w.-]+\.(pem|key|p12|pfx|jks|keystore))$"
)
_SCANNED_SUFFIXES = (
    ".env",
    ".ini",
    ".cfg",
    ".conf",
    ".toml",
    ".yaml",
    ".yml",
    ".json",
    ".properties",
    "config",
)
_SKIPPED_DIRS = {
    ".git",
    "node_modules",
    ".venv",
    "venv",
    "__pycache__",
    ".tox",
    ".mypy_cache",
    "dist",
    "build",
    "target",
}


@dataclass(frozen=True, slots=True)
class ProjectSecrets:
    decoys: list[Decoy]
    scanned: int
    complete: bool
    """False when the scan stopped at its bound: later files were not checked for secrets."""


def project_decoys(
    project: Path, canary: CanarySet, *, max_entries: int = 20_000, max_scan_bytes: int = 2_000_000
) -> ProjectSecrets:
    """Decoys for the project's secret files, and for secrets inside its small config files."""
    decoys: list[Decoy] = []
    entries = 0
    budget = max_scan_bytes
    complete = True
    for directory, dirnames, filenames in os.walk(project):
        dirnames[:] = [d for d in dirnames if d not in _SKIPPED_DIRS]
        base = Path(directory)
        for name in filenames:
            entries += 1
            if entries > max_entries:
                return ProjectSecrets(decoys, entries - 1, False)
            path = base / name
            relative = path.relative_to(project).as_posix()
            try:
                info = path.lstat()
            except OSError:
                continue
            if not stat.S_ISREG(info.st_mode):
                continue
            if _SECRET_NAMES.search(relative):
                decoys.append(_decoy_for_secret_file(relative, path, info.st_mode, canary))
            elif name.endswith(_SCANNED_SUFFIXES) and info.st_size <= 65_536:
                if info.st_size > budget:
                    complete = False
                    continue
                budget -= info.st_size
                decoy = _decoy_for_secrets_inside(relative, path, info.st_mode, canary)
                if decoy is not None:
                    decoys.append(decoy)
    for name in (".git/config", ".git/credentials"):
        path = project / name
        if path.is_file() and not path.is_symlink():
            decoy = _decoy_for_secrets_inside(name, path, path.lstat().st_mode, canary)
            if decoy is not None:
                decoys.append(decoy)
    return ProjectSecrets(decoys, entries, complete)


def _decoy_for_secret_file(relative: str, path: Path, mode: int, canary: CanarySet) -> Decoy:
    try:
        original = path.read_bytes()[:65_536].decode("utf-8", "replace")
    except OSError:
        original = ""
    where = "./" + relative
    lines = []
    if "PRIVATE KEY" in original or relative.endswith((".pem", ".key", ".p12", ".pfx", ".jks", ".keystore")):
        value = f"cwdecoy{canary.token}{len(canary.values)}"
        canary.values[value] = where
        content = f"-----BEGIN PRIVATE KEY-----\n{value}\n-----END PRIVATE KEY-----\n"
    else:
        for line in original.splitlines():
            match = re.match(r"^(\s*(?:export\s+)?[\w.-]+\s*[=:]\s*)(.*)$", line)
            if match and match.group(2).strip():
                value = f"cwdecoy-{canary.token}-{len(canary.values)}"
                canary.values[value] = where
                lines.append(match.group(1) + value)
            else:
                lines.append(line)
        content = "\n".join(lines) + "\n"
        content = _replace_found(content, canary, where)
    return Decoy(relative, content.encode(), "cred.read.env_file", stat.S_IMODE(mode), label="project secret")


def _decoy_for_secrets_inside(relative: str, path: Path, mode: int, canary: CanarySet) -> Decoy | None:
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    replaced = _replace_found(text, canary, "./" + relative)
    if replaced == text:
        return None
    return Decoy(
        relative, replaced.encode(), "cred.read.env_file", stat.S_IMODE(mode), label="project secret"
    )


def _replace_found(text: str, canary: CanarySet, where: str) -> str:
    found = find_secrets(text)
    if not found:
        return text
    parts, cursor = [], 0
    for _, start, end in found:
        value = f"cwdecoy{canary.token}{len(canary.values)}"
        canary.values[value] = where
        parts += [text[cursor:start], value]
        cursor = end
    parts.append(text[cursor:])
    return "".join(parts)


def persistence_capability(home_relative: str | None, absolute: str) -> str | None:
    if home_relative is not None:
        for pattern, capability in PERSISTENCE:
            if pattern.search(home_relative):
                return capability
    for pattern, capability in SYSTEM_PERSISTENCE:
        if pattern.search(absolute):
            return capability
    return None
