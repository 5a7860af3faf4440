"""What a path points at, as the policy sees it: one shared classification for every language.

`scope` puts a path in a class the policy can match (root, system, home, user, credential,
device, temp (also caches that rebuild themselves), project, outside, unknown), `remote_scope` a URL
(remote, or public_address for a bare public IP); `credential_capability` says which credential a path
holds, if any. Paths are judged as written: nothing here touches the file system. The pure
functions keep a bounded LRU cache, since analyzers ask about the same paths many times.
"""

from __future__ import annotations

import ipaddress
import posixpath
import re
from collections.abc import Sequence
from functools import lru_cache
from urllib.parse import urlsplit

import re2

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
PUBLIC_ADDRESS = "public_address"
"""A remote side named by a bare public IP address (no host name, no certificate behind it)."""
SCOPES = (
    ROOT,
    SYSTEM,
    HOME,
    USER,
    CREDENTIAL,
    DEVICE,
    TEMP,
    PROJECT,
    OUTSIDE,
    UNKNOWN,
    REMOTE,
    PUBLIC_ADDRESS,
)

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
_SYSTEM_BELOW = tuple(d + "/" for d in _SYSTEM_DIRS)
_TEMP_BELOW = tuple(d + "/" for d in _TEMP_DIRS)
_HOME_PREFIX = re.compile(
    r"^(?:~(?=/|$)|\$HOME\b|\$\{HOME\}|/root(?=/|$)|/home/[^/]+(?=/|$)|/Users/[^/]+(?=/|$)|%USERPROFILE%|\$env:USERPROFILE|\$HOME)",
    re.I,
)
_HOME_STARTS = frozenset("~$/%")
"""The first characters `_HOME_PREFIX` can match: other paths skip the expression."""
_PERSONAL_FOLDER = re.compile(
    r"^(Documents|Desktop|Pictures|Photos|Music|Videos|Movies|Dropbox|OneDrive|Google Drive|iCloud Drive)(/\*|/\.\*)?$",
    re.I,
)
"""A home directory's folders of personal files: deleting one whole is deleting the user's own work."""
_ALL_HOMES = ("/home", "/Users")
"""The folders that hold every user's home: deleting one is deleting everybody's files."""
_REGENERABLE = re.compile(r"^/var/cache/[^/]+|^/var/lib/apt/lists(/|$)")
"""Caches the system rebuilds on demand (FHS: /var/cache may be deleted without loss; apt's lists
come back with `apt-get update`): `rm -rf /var/lib/apt/lists/*` is a Dockerfile's routine cleanup."""
_HOME_CACHE = re.compile(r"^\.cache(/|$)")
_OS_TREE = re.compile(
    r"^/(boot|bin|sbin|lib|lib32|lib64|libx32|usr/bin|usr/sbin|usr/lib|usr/lib32|usr/lib64|usr/libx32|usr/libexec"
    r"|System|private/etc"
    r"|etc/(apt|yum\.repos\.d|dnf|pacman\.d|pam\.d|security|ssh|ssl|pki|systemd|sysctl\.d|modprobe\.d|netplan|network"
    r"|NetworkManager|udev|selinux|apparmor\.d|sudoers\.d|ld\.so\.conf\.d|default|kernel))(/|$)"
)
_VARIABLE = re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\$\(|`|%[A-Za-z_]+%")
_WINDOWS_PATH = re.compile(r"[A-Za-z]:\\")
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
            r"(^|/)(\.mozilla/firefox|\.config/(google-chrome|chromium|BraveSoftware|microsoft-edge)|Library/Application Support/(Google/Chrome|Firefox))(/|$)|(^|/)(Cookies|Login Data|logins\.json|key[34]\.db|cookies\.sqlite)$"
            r"|(^|/)(Google/Chrome|Microsoft/Edge|BraveSoftware/Brave-Browser|Chromium)/User Data(/|$)|(^|/)Mozilla/Firefox/Profiles(/|$)",
            re.I,
        ),
        "cred.read.browser",
    ),
    (
        re.compile(r"(^|/)(\.gnupg|\.password-store|\.local/share/keyrings)(/|$)|\.keychain(-db)?$"),
        "cred.read.keyring",
    ),
    (re.compile(r"^/etc/(shadow|gshadow)(-|$)|^/etc/security/opasswd$"), "cred.read.system"),
    (
        re.compile(
            r"(^|/)(\.netrc|\.git-credentials|\.npmrc|\.pypirc|\.pgpass|\.my\.cnf|\.docker/config\.json|\.vault-token|\.config/gh/hosts\.yml)$"
        ),
        "cred.read.token_file",
    ),
    (
        re.compile(
            r"(^|/)(discord|discordcanary|discordptb|Slack|Signal|Element)/(Local Storage|Cookies|Network/Cookies)(/|$)"
            r"|(^|/)Telegram Desktop/tdata(/|$)",
            re.I,
        ),
        "cred.read.token_file",
    ),
    (
        re.compile(r"(^|/)\.env(\.[\w.-]+)?$|(^|/)(secrets?|credentials)\.(json|ya?ml|toml|ini)$"),
        "cred.read.env_file",
    ),
)
_CERTIFICATES = re.compile(r"(^|/)[^/]*(cert|chain|bundle)[^/]*\.(pem|crt)$", re.I)
"""Certificate files (cacert.pem, fullchain.pem, ca-bundle.crt) are public, unlike private keys in .pem files."""
_SECRET_TEMPLATES = re.compile(r"(^|/)\.env\.(example|sample|template|dist|defaults?)$", re.I)
"""`.env.example` and its kin are the shape of a configuration, committed on purpose, without values."""


class _FirstMatch:
    """Which of several patterns, in their order, is the first that `search` finds in a text.

    One RE2 set scans for all of them at once, where a loop ran one search per pattern over every
    path met for the first time. The set answers for printable ASCII text, on which RE2 reads these
    patterns as `re` does (no line end before `$`, no non-ASCII letter for `\\w` or case folding);
    any other text goes through the patterns one by one."""

    def __init__(self, patterns: Sequence[re.Pattern[str]]) -> None:
        self.patterns = tuple(patterns)
        self._set = re2.Set.SearchSet(re2.Options())
        for pattern in self.patterns:
            if pattern.flags & ~(re.IGNORECASE | re.UNICODE):
                raise ValueError(f"{pattern.pattern!r}: only re.IGNORECASE is read alike by RE2")
            self._set.Add(("(?i)" if pattern.flags & re.IGNORECASE else "") + pattern.pattern)
        self._set.Compile()

    def first(self, text: str) -> int | None:
        if text.isascii() and text.isprintable():
            found = self._set.Match(text)  # the binding answers None for no match
            return min(found) if found else None
        return next((index for index, pattern in enumerate(self.patterns) if pattern.search(text)), None)


_CREDENTIAL_FILES = _FirstMatch([pattern for pattern, _ in _CREDENTIALS])
_PUBLIC_FILES = _FirstMatch([_CERTIFICATES, _SECRET_TEMPLATES])
_PUBLIC_OR_CREDENTIAL_FILES = _FirstMatch([*_PUBLIC_FILES.patterns, *_CREDENTIAL_FILES.patterns])
_SENSITIVE_SYSTEM = re.compile(
    r"^/etc/(passwd|group|hosts|crontab|fstab|sudoers|ssh/sshd_config)$|^/proc/[^/]+/(environ|mem|maps)$"
)


def strip_quotes(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


@lru_cache(maxsize=4096)
def normalise(path: str) -> str:
    """Collapse `//`, `/./` and `a/..` lexically; keep a leading `~`, variables and relative form."""
    text = strip_quotes(path).replace("\\ ", " ")
    if not text:
        return text
    if _WINDOWS_PATH.match(text):
        return text
    absolute = text.startswith("/")
    normalised = posixpath.normpath(text)
    if absolute and normalised.startswith("//"):
        normalised = "/" + normalised.lstrip("/")
    if text.endswith("/*") and not normalised.endswith("*"):
        normalised = normalised.rstrip("/") + "/*"
    return normalised


@lru_cache(maxsize=4096)
def scope(path: str) -> str:
    """The class of `path` for the policy. Unresolved variables give `unknown`."""
    text = normalise(path)
    if not text:
        return UNKNOWN
    if text[1:2] == ":":  # a drive letter, which both Windows expressions start with
        if _WINDOWS_ROOT.match(text):
            return ROOT
        if _WINDOWS_SYSTEM.match(text):
            return SYSTEM
    if text.endswith("/**"):  # a recursive glob stands for its folder's whole tree
        text = text[:-1]
    bare = text[:-2] if text.endswith("/*") else text
    if bare in ("/", "") or text in ("/*", "/.", "/.*"):
        return ROOT
    if credential_capability(text) is not None:
        return CREDENTIAL
    if bare in _ALL_HOMES:
        return HOME
    home = _HOME_PREFIX.match(text) if text[:1] in _HOME_STARTS else None
    if home:
        rest = text[home.end() :].strip("/")
        if rest in ("", "*", ".*") or _PERSONAL_FOLDER.match(rest):
            return HOME
        return TEMP if _HOME_CACHE.match(rest) else USER
    if ("$" in text or "`" in text or "%" in text) and _VARIABLE.search(text):
        return UNKNOWN
    if text.startswith("/dev/"):
        return TEMP if text.startswith("/dev/shm") else DEVICE
    if bare in _TEMP_DIRS or bare.startswith(_TEMP_BELOW):
        return TEMP
    if text.startswith("/var/") and _REGENERABLE.match(text):
        return TEMP
    if bare in _SYSTEM_DIRS or bare.startswith(_SYSTEM_BELOW):
        return SYSTEM
    if text.startswith("/"):
        return OUTSIDE
    if text == ".." or text.startswith("../"):
        return OUTSIDE
    return PROJECT


@lru_cache(maxsize=4096)
def credential_capability(path: str) -> str | None:
    """The `cred.read.*` capability for a path that holds credentials, else None. Public keys are not secrets."""
    text = normalise(path)
    if text.endswith((".pub", "known_hosts", "/authorized_keys", ".ssh/config")):
        return None
    home = _HOME_PREFIX.match(text) if text[:1] in _HOME_STARTS else None
    if home is None:  # one scan for both questions: the public patterns come first
        found = _PUBLIC_OR_CREDENTIAL_FILES.first(text)
        public = found is not None and found < len(_PUBLIC_FILES.patterns)
        return None if found is None or public else _CREDENTIALS[found - len(_PUBLIC_FILES.patterns)][1]
    if _PUBLIC_FILES.first(text) is not None:
        return None
    found = _CREDENTIAL_FILES.first("~" + text[home.end() :])
    return None if found is None else _CREDENTIALS[found][1]


def is_sensitive_system_file(path: str) -> bool:
    return bool(_SENSITIVE_SYSTEM.match(normalise(path)))


def home_relative(path: str) -> str | None:
    """The part of `path` below a home directory (`.bashrc` for `~/.bashrc` or `/root/.bashrc`), else None."""
    text = normalise(path)
    if text[:1] not in _HOME_STARTS:
        return None
    match = _HOME_PREFIX.match(text)
    if match is None:
        return None
    return text[match.end() :].lstrip("/")


_READ_BY_THE_SYSTEM = re.compile(
    r"^/(etc|boot|bin|sbin|lib|lib32|lib64|libx32|sys|proc|System|Library)(/|$)"
    r"|^/usr/(bin|sbin|libexec|lib|lib32|lib64|libx32)(/|$)|^/usr/local/(bin|sbin|lib|etc)(/|$)|^/var/www(/|$)"
    r"|^[A-Za-z]:[\\/](Windows|Program Files|ProgramData)",
    re.I,
)


def read_by_the_system(path: str) -> bool:
    """True for system paths that something loads or runs without being asked: configuration, programs
    on the PATH, libraries, boot files, kernel interfaces, a web root. A new file parked elsewhere under
    /usr, /var or /opt changes nothing until someone uses it."""
    return bool(_READ_BY_THE_SYSTEM.match(normalise(path)))


@lru_cache(maxsize=1024)
def remote_scope(url: str) -> str:
    """`public_address` for `http://203.0.113.9/x.sh` (a literal, globally routable IP address), else
    `remote`: private and loopback addresses are a company's own servers, host names have an owner."""
    try:
        host = urlsplit(url if "://" in url else "//" + url).hostname or ""
        address = ipaddress.ip_address(host)
    except ValueError:
        return REMOTE
    documentation = any(
        address in network for network in _DOCUMENTATION_NETWORKS if network.version == address.version
    )
    return PUBLIC_ADDRESS if address.is_global or documentation else REMOTE


_DOCUMENTATION_NETWORKS = tuple(
    ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
)
"""Ranges reserved for examples: they stand for someone else's public server."""


_OS_SECOND_LEVEL = re.compile(
    r"^/(?:usr/[^/]+|var/(?:lib|log|spool|cache|mail|backups|run|db|adm|opt)|var/lib/[^/]+"
    r"|Library/[^/]+|System/[^/]+)/?$"
)


def is_os_folder(path: str) -> bool:
    """A system folder whose loss or takeover breaks the machine rather than one application: a
    top-level system directory, any folder directly in /usr, /var/lib and the state of each service
    in it, /var/log, and the OS's own trees (`in_os_tree`) down to three levels. /etc/nginx, /var/www
    or /usr/share/doc/x belong to one application."""
    text = normalise(path).rstrip("/*") or "/"
    depth = len([part for part in text.split("/") if part])
    if depth <= 1:
        return True
    return bool(_OS_SECOND_LEVEL.match(text)) or (depth <= 3 and in_os_tree(text))


def in_os_tree(path: str) -> bool:
    """True for the folders the operating system runs from: its programs, libraries, boot files and
    its own configuration (package sources, PAM, SSH, TLS, systemd, networking). Elsewhere in /etc,
    /var or /usr/share a deeper folder belongs to one application, not to the system."""
    return bool(_OS_TREE.match(normalise(path)))


def is_private_file(path: str) -> bool:
    """A file in a home directory that holds what its owner typed or exported (shell history and startup
    files, where tokens are exported), or anything in the superuser's home: not credentials by name, but
    not for sending anywhere either."""
    text = normalise(path)
    if text.startswith("/root/"):
        return True
    relative = home_relative(text)
    return relative is not None and (relative in HISTORY_FILES or relative in STARTUP_FILES)


def is_destructive_scope(scope_name: str) -> bool:
    return scope_name in (ROOT, SYSTEM, HOME)


# ---------------------------------------------------------------------------------------------- writes
STARTUP_FILES = frozenset(
    {
        ".bashrc",
        ".bash_profile",
        ".bash_login",
        ".bash_logout",
        ".profile",
        ".zshrc",
        ".zprofile",
        ".zshenv",
        ".zlogin",
        ".kshrc",
        ".cshrc",
        ".tcshrc",
        ".config/fish/config.fish",
        ".xprofile",
        ".xinitrc",
    }
)
"""Shell startup files, relative to a home directory."""
HISTORY_FILES = frozenset(
    {
        ".bash_history",
        ".zsh_history",
        ".zhistory",
        ".history",
        ".sh_history",
        ".ksh_history",
        ".python_history",
        ".mysql_history",
        ".psql_history",
        ".sqlite_history",
        ".node_repl_history",
        ".rediscli_history",
        ".lesshst",
        ".viminfo",
        ".local/share/fish/fish_history",
    }
)
COMMON_COMMANDS = frozenset(
    [
        "sudo",
        "su",
        "doas",
        "passwd",
        "ssh",
        "scp",
        "sftp",
        "gpg",
        "ssh-add",
        "ssh-keygen",
        "login",
        "ls",
        "cd",
        "rm",
        "cp",
        "mv",
        "cat",
        "less",
        "more",
        "grep",
        "find",
        "ps",
        "kill",
        "top",
        "git",
        "python",
        "python3",
        "pip",
        "pip3",
        "npm",
        "node",
        "yarn",
        "vim",
        "vi",
        "nano",
        "emacs",
        "make",
        "docker",
        "kubectl",
        "apt",
        "apt-get",
        "yum",
        "dnf",
        "brew",
        "clear",
        "exit",
        "echo",
        "man",
        "chmod",
        "chown",
        "which",
        "whoami",
        "id",
        "bash",
        "sh",
        "zsh",
        "source",
        "history",
        "curl",
        "wget",
        "tar",
        "mkdir",
        "touch",
        "ping",
        "ifconfig",
        "ip",
        "netstat",
        "ss",
        "mount",
        "env",
        "export",
    ]
)
"""Commands a poisoned alias or shell function typically hides behind."""
_WRITE_ROLES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"^/dev/(sd[a-z]|hd[a-z]|vd[a-z]|xvd[a-z]|nvme\d|mmcblk\d|md\d|dm-\d|loop\d|nbd\d|disk/|mapper/|mem$|kmem$|port$)"
        ),
        "device",
    ),
    (
        re.compile(r"^/etc/(profile(\.d/.*)?|bash\.bashrc|bashrc|zsh/.*|zshrc|zprofile|environment)$"),
        "startup",
    ),
    (re.compile(r"(^|/)\.ssh/authorized_keys2?$"), "authorized_keys"),
    (
        re.compile(
            r"^(/etc/(crontab|anacrontab|cron\.(d|hourly|daily|weekly|monthly|allow|deny)(/.*)?)|/var/spool/cron(/.*)?)$"
        ),
        "cron",
    ),
    (
        re.compile(
            r"^(/etc/systemd/(system|user)/.+|/(usr/)?lib/systemd/(system|user)/.+|/etc/init\.d/.+|/etc/rc\.local"
            r"|/etc/rc\d\.d/.+|/etc/xdg/autostart/.+|/Library/Launch(Agents|Daemons)/.+)$"
        ),
        "service",
    ),
    (re.compile(r"^/etc/(sudoers(\.d/.*)?|passwd|shadow|group|gshadow)$"), "accounts"),
    (re.compile(r"^/etc/ld\.so\.preload$"), "preload"),
    (re.compile(r"^/etc/ssh/sshd_config(\.d/.*)?$"), "sshd"),
    (re.compile(r"^/etc/selinux/config$"), "selinux"),
    (re.compile(r"^(/var/log|/var/adm|/var/account)(/.*)?$|^(/var)?/run/utmp$"), "log"),
)
_HOME_ROLES = (
    (re.compile(r"^(\.config/systemd/user/.+|\.config/autostart/.+|Library/LaunchAgents/.+)$"), "service"),
)


def write_role(path: str) -> str | None:
    """What writing `path` amounts to, for every language's analyzer: `startup` (a shell startup file),
    `history`, `log`, `authorized_keys`, `cron`, `service`, `accounts` (sudoers, passwd, shadow),
    `preload` (/etc/ld.so.preload), `sshd`, `selinux`, `device` (a block device), or None."""
    text = normalise(path)
    relative = home_relative(text)
    if relative is not None:
        if relative in STARTUP_FILES:
            return "startup"
        if relative in HISTORY_FILES:
            return "history"
        for pattern, role in _HOME_ROLES:
            if pattern.match(relative):
                return role
    for pattern, role in _WRITE_ROLES:
        if pattern.search(text):
            return role
    return None
