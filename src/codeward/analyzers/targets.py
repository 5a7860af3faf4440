"""What a path points at, as the policy sees it: one shared classification for every language.

`scope` puts a path in a class the policy can match (root, system, home, user, credential,
device, temp, project, outside, unknown); `credential_capability` says which credential a path
holds, if any. Paths are judged as written: nothing here touches the file system.
"""

from __future__ import annotations

import posixpath
import re

ROOT, SYSTEM, HOME, USER, CREDENTIAL, DEVICE, TEMP, PROJECT, OUTSIDE, UNKNOWN, REMOTE = (
    "root",
    "system",
    "home",
    "user",
    "credential",
    "device",
    "temp",
    "project",
    "outside",
    "unknown",
    "remote",
)
SCOPES = (ROOT, SYSTEM, HOME, USER, CREDENTIAL, DEVICE, TEMP, PROJECT, OUTSIDE, UNKNOWN, REMOTE)

_SYSTEM_DIRS = (
    "/etc",
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/boot",
    "/sys",
    "/proc",
    "/var",
    "/snap",
    "/System",
    "/Library",
    "/Applications",
    "/private/etc",
)
_TEMP_DIRS = ("/tmp", "/var/tmp", "/dev/shm", "/private/tmp")
_HOME_PREFIX = re.compile(
    r"^(?:~(?=/|$)|\$HOME\b|\$\{HOME\}|/root(?=/|$)|/home/[^/]+(?=/|$)|/Users/[^/]+(?=/|$)|%USERPROFILE%|\$env:USERPROFILE|\$HOME)",
    re.I,
)
_VARIABLE = re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\$\(|`|%[A-Za-z_]+%")
_WINDOWS_ROOT = re.compile(r"^[A-Za-z]:[\\/]*\*?$")
_WINDOWS_SYSTEM = re.compile(r"^[A-Za-z]:[\\/](?:Windows|Program Files|ProgramData|System32)", re.I)

# (pattern over the normalised path, capability)
_CREDENTIALS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"(^|/)\.ssh(/|$)|(^|/)id_(rsa|dsa|ecdsa|ed25519)(\.pub)?$|\.pem$|(^|/)ssh_host_\w+_key$"),
        "cred.read.ssh_key",
    ),
    (
        re.compile(
            r"(^|/)\.aws(/|$)|(^|/)\.config/gcloud(/|$)|(^|/)\.azure(/|$)|(^|/)\.kube(/|$)|application_default_credentials\.json$"
        ),
        "cred.read.cloud",
    ),
    (
        re.compile(
            r"(^|/)(\.mozilla/firefox|\.config/(google-chrome|chromium|BraveSoftware|microsoft-edge)|Library/Application Support/(Google/Chrome|Firefox))(/|$)|(^|/)(Cookies|Login Data|logins\.json|key[34]\.db|cookies\.sqlite)$",
            re.I,
        ),
        "cred.read.browser",
    ),
    (
        re.compile(r"(^|/)(\.gnupg|\.password-store|\.local/share/keyrings)(/|$)|\.keychain(-db)?$"),
        "cred.read.keyring",
    ),
    (re.compile(r"^/etc/(shadow|gshadow|sudoers)(-|$)|^/etc/security/opasswd$"), "cred.read.system"),
    (
        re.compile(
            r"(^|/)(\.netrc|\.git-credentials|\.npmrc|\.pypirc|\.pgpass|\.my\.cnf|\.docker/config\.json|\.vault-token|\.config/gh/hosts\.yml)$"
        ),
        "cred.read.token_file",
    ),
    (
        re.compile(r"(^|/)\.env(\.[\w.-]+)?$|(^|/)(secrets?|credentials)\.(json|ya?ml|toml|ini)$"),
        "cred.read.env_file",
    ),
)
_SENSITIVE_SYSTEM = re.compile(
    r"^/etc/(passwd|group|hosts|crontab|fstab|ssh/sshd_config)$|^/proc/[^/]+/(environ|mem|maps)$"
)


def strip_quotes(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def normalise(path: str) -> str:
    """Collapse `//`, `/./` and `a/..` lexically; keep a leading `~`, variables and relative form."""
    text = strip_quotes(path).replace("\\ ", " ")
    if not text:
        return text
    if re.match(r"^[A-Za-z]:\\", text):
        return text
    absolute = text.startswith("/")
    normalised = posixpath.normpath(text)
    if absolute and normalised.startswith("//"):
        normalised = "/" + normalised.lstrip("/")
    if text.endswith("/*") and not normalised.endswith("*"):
        normalised = normalised.rstrip("/") + "/*"
    return normalised


def scope(path: str) -> str:
    """The class of `path` for the policy. Unresolved variables give `unknown`."""
    text = normalise(path)
    if not text:
        return UNKNOWN
    if _WINDOWS_ROOT.match(text):
        return ROOT
    if _WINDOWS_SYSTEM.match(text):
        return SYSTEM
    bare = text[:-2] if text.endswith("/*") else text
    if bare in ("/", "") or text in ("/*", "/.", "/.*"):
        return ROOT
    if credential_capability(text) is not None:
        return CREDENTIAL
    home = _HOME_PREFIX.match(text)
    if home:
        rest = text[home.end() :].strip("/")
        return HOME if rest in ("", "*", ".*") else USER
    if _VARIABLE.search(text):
        return UNKNOWN
    if text.startswith("/dev/"):
        return TEMP if text.startswith("/dev/shm") else DEVICE
    if any(bare == d or bare.startswith(d + "/") for d in _TEMP_DIRS):
        return TEMP
    if any(bare == d or bare.startswith(d + "/") for d in _SYSTEM_DIRS):
        return SYSTEM
    if text.startswith("/"):
        return OUTSIDE
    if text == ".." or text.startswith("../"):
        return OUTSIDE
    return PROJECT


def credential_capability(path: str) -> str | None:
    """The `cred.read.*` capability for a path that holds credentials, else None. Public keys are not secrets."""
    text = normalise(path)
    if text.endswith(".pub") or text.endswith("known_hosts") or text.endswith("/authorized_keys"):
        return None
    text = _HOME_PREFIX.sub("~", text)
    for pattern, capability in _CREDENTIALS:
        if pattern.search(text):
            return capability
    return None


def is_sensitive_system_file(path: str) -> bool:
    return bool(_SENSITIVE_SYSTEM.match(normalise(path)))


def home_relative(path: str) -> str | None:
    """The part of `path` below a home directory (`.bashrc` for `~/.bashrc` or `/root/.bashrc`), else None."""
    text = normalise(path)
    match = _HOME_PREFIX.match(text)
    if match is None:
        return None
    return text[match.end() :].lstrip("/")


def is_destructive_scope(scope_name: str) -> bool:
    return scope_name in (ROOT, SYSTEM, HOME)
