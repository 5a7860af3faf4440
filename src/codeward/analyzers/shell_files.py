"""Shell commands that read, write, delete or re-permission files, judged by what their targets are.

Every target is classified by `targets.scope` (root, home, system, project, …), so `rm -rf ./build`
and `rm -rf ~` are told apart. A read of a credential file, by any program that reads (cat, cp,
base64, tar, …), taints what it outputs; a write is judged by where it lands (a startup file, a
crontab, a block device, a log being truncated).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable

import re2

from codeward.analyzers import targets
from codeward.analyzers.shell_programs import Call, Scan, parse_options
from codeward.analyzers.shell_words import (
    CREDENTIAL,
    ENDLESS,
    ENDLESS_DEVICES,
    FILE,
    NOTHING,
    PATHS,
    SENSITIVE,
    SYSTEM_FILE,
    Stream,
    Taint,
    Value,
    endless_source,
)
from codeward.model import Confidence, Payload, Severity

C, H, M, L, I = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO  # noqa: E741

_HARMLESS_DEVICES = re.compile(
    r"^/dev/(null|zero|full|u?random|stdout|stderr|stdin|tty\w*|pts/.*|fd/.*|shm(/.*)?|console|ptmx|log|kmsg|tcp/.*|udp/.*)$"
)
_BLOCK_DEVICE = re.compile(
    r"^/dev/(sd[a-z]|hd[a-z]|vd[a-z]|xvd[a-z]|nvme\d|mmcblk\d|md\d|dm-\d|loop\d|nbd\d|rbd\d|zd\d|bcache\d|disk/|mapper/|mem$|kmem$|port$)"
)
_LOG_DIRS = ("/var/log", "/var/adm", "/var/account", "/var/run/utmp", "/run/utmp", "/var/log/journal")
_SYSTEM_STARTUP = re.compile(
    r"^/etc/(profile(\.d/.*)?|bash\.bashrc|bashrc|zsh/.*|zshrc|zprofile|environment)$"
)
_CRON = re.compile(
    r"^(/etc/(crontab|anacrontab|cron\.(d|hourly|daily|weekly|monthly|allow|deny)(/.*)?)|/var/spool/cron(/.*)?)$"
)
_SERVICES = re.compile(
    r"^(/etc/systemd/(system|user)/.+|/(usr/)?lib/systemd/(system|user)/.+|/etc/init\.d/.+|/etc/rc\.local"
    r"|/etc/rc\d\.d/.+|/etc/xdg/autostart/.+|/Library/Launch(Agents|Daemons)/.+)$"
)
_HOME_SERVICES = re.compile(r"^(\.config/systemd/user/.+|\.config/autostart/.+|Library/LaunchAgents/.+)$")
_SUDOERS = re.compile(r"^/etc/sudoers(\.d/.*)?$")
_ACCOUNTS = re.compile(r"^/etc/(passwd|shadow|group|gshadow)$")
_SSHD_CONFIG = re.compile(r"^/etc/ssh/sshd_config(\.d/.*)?$")
_SSHD_WEAK = re.compile(
    r"(PermitRootLogin\s+(yes|without-password)|PasswordAuthentication\s+yes|PermitEmptyPasswords\s+yes)",
    re.I,
)
_SELINUX_OFF = re.compile(r"SELINUX\s*=\s*(disabled|permissive)", re.I)
_UID_ZERO = re.compile(r"^[^:\n]*:[^:\n]*:0:", re.M)

_CREDENTIAL_PROMPTS = frozenset(
    {"sudo", "su", "doas", "passwd", "ssh", "scp", "sftp", "gpg", "ssh-add", "login"}
)
_DANGEROUS_PROGRAMS = frozenset(
    [
        "rm",
        "dd",
        "mkfs",
        "shred",
        "curl",
        "wget",
        "nc",
        "ncat",
        "netcat",
        "socat",
        "telnet",
        "bash",
        "sh",
        "zsh",
        "eval",
        "base64",
        "chmod",
        "chown",
        "kill",
        "pkill",
        "killall",
        "crontab",
        "python",
        "python3",
        "perl",
        "ruby",
        "node",
        "wipefs",
        "truncate",
    ]
)
_ALIAS_LINE = re.compile(r"^\s*alias\s+(?:--\s+)?([A-Za-z_][\w.+-]*)=(.*)$")
_FUNCTION_LINE = re.compile(
    r"^\s*(?:function\s+)?([A-Za-z_][\w.+-]*)\s*\(\s*\)|^\s*function\s+([A-Za-z_][\w.+-]*)"
)


def components(path: str) -> int:
    return len([part for part in targets.normalise(path).split("/") if part not in ("", "*")])


def probe_path(value: Value) -> str:
    """The path to classify: for `find ~ -name id_rsa -exec cat {} \\;` that is `~/id_rsa`."""
    if value.tree and value.filter:
        return value.text.rstrip("/") + "/" + value.filter
    return value.text


def is_block_device(path: str) -> bool:
    text = targets.normalise(path)
    return bool(_BLOCK_DEVICE.match(text)) and not _HARMLESS_DEVICES.match(text)


def is_history(path: str) -> bool:
    relative = targets.home_relative(path)
    if relative is not None and relative in targets.HISTORY_FILES:
        return True
    normalised = targets.normalise(path)
    if not normalised.startswith(("/var/", "/run/")):  # every log directory is below one of them
        return False
    text = normalised.rstrip("*").rstrip("/")
    if _ROTATED_APPLICATION_LOG.match(normalised):
        return False
    return any(text == d or text.startswith(d + "/") for d in _LOG_DIRS)


_ROTATED_APPLICATION_LOG = re2.compile(r"^/var/log/(?:[^/]+/)+[^/]*\.(?:gz|xz|bz2|zst|zip|old|bak|[0-9]+)$")
"""`/var/log/myapp/*.gz`: rotated archives of one application's logs; deleting them is housekeeping.
The system's own logs (`/var/log/auth.log*`, `wtmp`, `journal/`) stay evidence."""


# ---------------------------------------------------------------------------------------------- reading
def read_file(scan: Scan, call: Call, value: Value) -> Stream:
    """Report a read of a credential or sensitive file, and return what reading it yields."""
    if value.file is not None:
        return value.file
    path = scan.absolute(value)
    probe = probe_path(path)
    if probe in ("/dev/null", "/dev/zero"):
        return Stream(content="")
    shown = path.shown
    capability = targets.credential_capability(probe)
    if capability is not None:
        scan.report(
            "bash.cred.read_credentials",
            call,
            target=shown,
            scope=targets.CREDENTIAL,
            capability=capability,
            confidence=Confidence.HIGH if value.known and not value.tree else Confidence.MEDIUM,
            detail=call.note(),
        )
        return Stream(frozenset({Taint(CREDENTIAL, shown, capability)}))
    if targets.is_sensitive_system_file(probe):
        scan.report("bash.fs.read_sensitive", call, target=shown, scope=targets.SYSTEM, detail=call.note())
        return Stream(frozenset({Taint(SENSITIVE, shown)}))
    if targets.is_private_file(probe):  # shell history, startup files, /root: not for sending anywhere
        return Stream(frozenset({Taint(SENSITIVE, shown)}))
    scope = targets.scope(probe)
    if scope in (targets.SYSTEM, targets.ROOT):
        return Stream(frozenset({Taint(SYSTEM_FILE, shown)}))
    return Stream(frozenset({Taint(FILE, shown)}) | value.taints)


def read_all(scan: Scan, call: Call, values: list[Value]) -> Stream:
    stream = NOTHING
    for value in values:
        stream = stream.union(read_file(scan, call, value))
    return stream


# ---------------------------------------------------------------------------------------------- writing
def write_file(
    scan: Scan, call: Call, value: Value, content: Stream, *, append: bool = False, how: str = "writes"
) -> None:
    """Judge a write by where it lands. Ordinary files in the project, /tmp or the home folder are not findings."""
    path = scan.absolute(value)
    text = targets.normalise(path.text)
    shown = path.shown
    note = call.note()
    endless = endless_source(content)
    if endless is not None and (not text.startswith("/dev/") or text.startswith("/dev/shm/")):
        scan.report(
            "bash.sys.resource_exhaustion",
            call,
            target=shown,
            scope=targets.scope(text),
            severity=H,
            detail=f"{how} the endless output of {endless} into {shown}: it grows until the file system holding it is full",
        )
    if text.startswith("/dev/"):
        if is_block_device(text):
            scan.report(
                "bash.sys.disk_overwrite",
                call,
                target=shown,
                scope=targets.DEVICE,
                detail=f"{how} the raw device {shown}: its partitions and file systems are destroyed",
            )
        return
    relative = targets.home_relative(text)
    if is_history(text):
        if not append:
            scan.report(
                "bash.evasion.history_wipe",
                call,
                target=shown,
                scope=targets.scope(text),
                detail=f"{how} {shown}, erasing the record of what was run",
            )
        return
    if (relative is not None and relative in targets.STARTUP_FILES) or _SYSTEM_STARTUP.match(text):
        _startup_write(scan, call, shown, content, how)
        return
    if text.endswith(("/authorized_keys", "/authorized_keys2")):
        scan.report(
            "bash.persist.authorized_keys",
            call,
            target=shown,
            scope=targets.scope(text),
            detail=f"{how} a key that will be let in over SSH without a password",
        )
        return
    if _CRON.match(text):
        scan.report("bash.persist.cron", call, target=shown, scope=targets.SYSTEM, detail=_with(how, note))
        return
    if _SERVICES.match(text) or (relative is not None and _HOME_SERVICES.match(relative)):
        scan.report(
            "bash.persist.systemd", call, target=shown, scope=targets.scope(text), detail=_with(how, note)
        )
        return
    if _SUDOERS.match(text):
        scan.report(
            "bash.proc.privilege",
            call,
            target=shown,
            scope=targets.SYSTEM,
            detail=f"{how} the sudoers rules, which decide who may act as root",
        )
        return
    if _ACCOUNTS.match(text):
        uid_zero = content.content is not None and _UID_ZERO.search(content.content) is not None
        scan.report(
            "bash.proc.privilege",
            call,
            target=shown,
            scope=targets.SYSTEM,
            severity=C if uid_zero else H,
            detail="adds an account with user id 0 (a second root)"
            if uid_zero
            else f"{how} the system's account database",
        )
        return
    if text == "/etc/ld.so.preload":
        scan.report(
            "bash.proc.inject",
            call,
            target=shown,
            scope=targets.SYSTEM,
            severity=C,
            detail="every program on the machine will load the listed library",
        )
        return
    if _SSHD_CONFIG.match(text) and content.content is not None:
        weak = _SSHD_WEAK.search(content.content)
        if weak:
            scan.report(
                "bash.evasion.sshd_weaken", call, target=shown, scope=targets.SYSTEM, detail=weak.group(0)
            )
            return
    if text == "/etc/selinux/config" and content.content is not None:
        off = _SELINUX_OFF.search(content.content)
        if off:
            scan.report(
                "bash.evasion.security_disable",
                call,
                target="SELinux",
                scope=targets.SYSTEM,
                detail=f"sets {off.group(0)} in {shown}",
            )
            return
    if text.startswith("/proc/sys/") or text == "/proc/sysrq-trigger":
        _kernel_write(scan, call, text, shown, content)
        return
    scope = targets.scope(text)
    if scope in (targets.SYSTEM, targets.ROOT):
        # a new file parked in a system tree changes nothing; emptying an existing one destroys it; a
        # program installed into /usr/local/bin is routine unless it takes the name of a command that
        # asks for passwords (found there before /usr/bin, it would see them)
        installed = (
            _LOCAL_PROGRAM.match(text) is not None and posixpath.basename(text) not in _ASKS_FOR_PASSWORDS
        )
        loaded = (targets.read_by_the_system(text) and not installed) or how == "truncates"
        scan.report(
            "bash.fs.write_system",
            call,
            target=shown,
            scope=scope,
            severity=H if loaded else M,
            capability=None if loaded else "fs.write",
            detail=_with(how, note)
            if loaded
            else _joined(
                f"{how} a program on the PATH (/usr/local/bin)"
                if installed
                else f"{how} a new file in a system tree, not a place the system reads from",
                note,
            ),
        )


_LOCAL_PROGRAM = re2.compile(r"^/usr/local/s?bin/[^/*]+$")
_ASKS_FOR_PASSWORDS = frozenset(
    {
        "sudo",
        "su",
        "doas",
        "passwd",
        "login",
        "ssh",
        "scp",
        "sftp",
        "ssh-add",
        "gpg",
        "pkexec",
        "mysql",
        "psql",
    }
)


def _with(how: str, note: str | None) -> str:
    return f"{how} it ({note})" if note else f"{how} it"


def _kernel_write(scan: Scan, call: Call, text: str, shown: str, content: Stream) -> None:
    if text == "/proc/sysrq-trigger":
        scan.report(
            "bash.sys.shutdown",
            call,
            target=shown,
            severity=H,
            detail="a kernel SysRq command (reboot, crash)",
        )
        return
    if text.endswith("randomize_va_space") and (content.content or "").strip() in ("0", ""):
        scan.report(
            "bash.evasion.security_disable",
            call,
            target="ASLR",
            scope=targets.SYSTEM,
            detail="turns off address space layout randomisation",
        )
        return
    scan.report("bash.sys.kernel_module", call, target=shown, severity=M, detail="sets a kernel parameter")


def _startup_write(scan: Scan, call: Call, shown: str, content: Stream, how: str) -> None:
    text = content.content
    payload = Payload(language="bash", content=text, origin=f"written to {shown}") if text else None
    poisoned = poisoned_definitions(text) if text else []
    if poisoned:
        scan.report(
            "bash.persist.shell_alias",
            call,
            target=shown,
            scope=targets.scope(shown),
            detail=f"redefines {', '.join(poisoned)} for every new shell",
            payload=payload,
        )
        return
    severity = L if text is not None and _only_settings(text) else (M if text is not None else H)
    scan.report(
        "bash.persist.shell_startup",
        call,
        target=shown,
        scope=targets.scope(shown),
        severity=severity,
        detail="every new shell runs what it holds",
        payload=payload,
    )


_SETTING = re2.compile(  # RE2: a written line can be megabytes of spaces, quadratic in `re`
    r"^\s*(?:#.*|(?:export\s+)?([A-Za-z_]\w*)=(.*)|(?:source|\.)\s+(\S+)|alias\s+[\w.+-]+=(.*)"
    r"|eval\s+\"?\$\([a-z-]+\s+(?:init|env|shellenv)[^)]*\)\"?|(?:shopt\s+-[su]|set\s+-o|setopt|bindkey|complete|autoload)\b.*|)\s*$"
)
_TRUST_VARIABLES = re2.compile(
    r"(?i)^(?:PROMPT_COMMAND|PS[0-4]|LD_\w+|DYLD_\w+|BASH_ENV|ENV|SHELLOPTS|BASHOPTS|HIST\w*|SAVEHIST|TMOUT"
    r"|\w*_PROXY|PERL5OPT|PERL5LIB|PYTHONSTARTUP|PYTHONPATH|NODE_OPTIONS|RUBYOPT|JAVA_TOOL_OPTIONS|GIT_SSH(?:_COMMAND)?"
    r"|GIT_SSL_NO_VERIFY|NODE_TLS_REJECT_UNAUTHORIZED|PYTHONHTTPSVERIFY|\w*CA_BUNDLE|SSL_CERT_\w+|PIP_\w*INDEX_URL"
    r"|NPM_CONFIG_REGISTRY|SUDO_ASKPASS|EDITOR|VISUAL|PAGER|GIT_EDITOR)$"
)
"""Variables that run code, load libraries, hide history, or change whom the machine trusts (proxies,
package indexes, certificate checks): setting one in a startup file is not routine setup."""
_TEMPORARY = re2.compile(r"(?:^|[:=\s\"'])(?:/tmp|/var/tmp|/dev/shm)(?:/|$|[:\"'])")


def _only_settings(text: str) -> bool:
    """Lines that only set ordinary variables, aliases or shell options, or source a file that stays
    put (`export PATH="$HOME/.local/bin:$PATH"`, `eval "$(pyenv init -)"`): routine setup. Anything that
    runs a command, reaches the network, or changes what loads or whom the machine trusts is not."""
    for line in text.splitlines()[:200]:
        shape = _SETTING.match(line)
        if shape is None:
            return False
        name, value, sourced, alias = shape.group(1), shape.group(2), shape.group(3), shape.group(4)
        written = value if value is not None else (sourced if sourced is not None else alias)
        if written is None:
            continue
        if any(mark in written for mark in ("$(", "`", ";", "&", "|", "://")) or _TEMPORARY.search(written):
            return False
        if name is not None and _TRUST_VARIABLES.match(name):
            return False
    return True


def poisoned_definitions(text: str) -> list[str]:
    """Aliases or functions that give a common command another meaning (`alias sudo='rm -rf /'`)."""
    names: list[str] = []
    for line in text.splitlines()[:500]:
        alias = _ALIAS_LINE.match(line)
        if alias:
            name, value = alias.group(1), alias.group(2).strip().strip("'\"")
            words = value.split()
            while words and words[0] in ("sudo", "command", "builtin", "env", "nohup", "exec", "\\"):
                words = words[1:]
            first = words[0].lstrip("\\").rsplit("/", 1)[-1] if words else ""
            if (
                name in targets.COMMON_COMMANDS
                and first != name
                and (
                    name in _CREDENTIAL_PROMPTS
                    or first in _DANGEROUS_PROGRAMS
                    or "|" in value
                    or ";" in value
                )
            ):
                names.append(name)
            continue
        function = _FUNCTION_LINE.match(line)
        if function:
            name = function.group(1) or function.group(2)
            if name in _CREDENTIAL_PROMPTS:
                names.append(name)
    return names


# ---------------------------------------------------------------------------------------------- deleting
_RM_VALUED = frozenset({"--interactive", "--preserve-root"})


def rm(scan: Scan, call: Call) -> Stream:
    parsed = parse_options(call.args, _RM_VALUED)
    recursive = parsed.has("-r", "-R", "--recursive")
    for value in [*parsed.operands, *(call.items or [])]:
        delete(scan, call, value, recursive=recursive or value.tree, how="deletes")
    return NOTHING


def delete(scan: Scan, call: Call, value: Value, *, recursive: bool, how: str) -> None:
    path = scan.absolute(value)
    text = path.text
    shown = path.shown
    probe = probe_path(path)
    filtered = path.filter is not None
    if is_history(probe if filtered else text):
        scan.report(
            "bash.evasion.history_wipe",
            call,
            target=shown,
            scope=targets.scope(text),
            detail=f"{how} {shown}, erasing the record of what was run",
        )
        if not recursive:
            return
    if path.leading is not None and not path.known:
        remainder = _after_leading(path)
        if remainder in ("/", "/*", "/.*"):
            name = path.leading
            what = f"{name} is empty or unset" if not name.startswith("$") else f"{name} prints nothing"
            guard = f"${{{name}:?}}" if not name.startswith("$") else "a check that it is not empty"
            scan.report(
                "bash.fs.recursive_delete" if recursive else "bash.fs.delete",
                call,
                target=shown,
                scope=targets.ROOT,
                severity=H if recursive else L,
                confidence=Confidence.MEDIUM,
                detail=f"if {what} this deletes {remainder}; write {guard} so the command stops instead",
            )
            return
    encrypted = scan.encrypted_with(text)
    if encrypted is not None and ("*" in text or "?" in text or path.tree):
        scan.report(
            "bash.crypto.mass_encrypt",
            call,
            target=shown,
            scope=targets.scope(text),
            detail=f"encrypts every file of {shown} with {encrypted}, then {how} the originals",
        )
        return
    if encrypted is not None:
        scan.report(
            "bash.crypto.encrypt_delete",
            call,
            target=shown,
            scope=targets.scope(text),
            detail=f"{how} {shown} after encrypting it with {encrypted}: only the encrypted copy is left, "
            "readable only by whoever holds its key",
        )  # and judged as a delete too: a credential file shredded after encryption is still gone
    capability = targets.credential_capability(probe)
    scope = targets.scope(probe if not filtered else text)
    if capability is not None or scope == targets.CREDENTIAL:
        scan.report(
            "bash.fs.delete_sensitive",
            call,
            target=shown,
            scope=targets.CREDENTIAL,
            severity=H,
            detail=f"{shown} holds credentials (keys, tokens) that cannot be recovered",
        )
        return
    if not recursive:
        _delete_file(scan, call, path, scope)
        return
    severity, what = _destroy_severity(scope, text)
    if severity is None:
        return
    confidence = Confidence.HIGH if path.known else Confidence.MEDIUM
    if filtered:
        what = f"files matching {path.filter or 'its tests'} under {what}" if what else "selected files"
        confidence = Confidence.LOW
    if scope == targets.UNKNOWN and path.leading:
        what = f"a path that depends on {path.leading}, which is not set in this snippet"
    scan.report(
        "bash.fs.recursive_delete",
        call,
        target=shown,
        scope=scope,
        severity=severity,
        confidence=confidence,
        detail=_joined(what, call.note()),
    )


def _joined(*parts: str | None) -> str | None:
    present = [part for part in parts if part]
    return "; ".join(present) if present else None


def _after_leading(value: Value) -> str:
    leading = value.leading or ""
    prefix = leading if leading.startswith("$") else None
    text = value.text
    if prefix is None:
        for candidate in (f"${{{leading}}}", f"${leading}"):
            if text.startswith(candidate):
                prefix = candidate
                break
    if prefix is None or not text.startswith(prefix):
        return text
    return text[len(prefix) :]


def _destroy_severity(scope: str, text: str) -> tuple[Severity | None, str]:
    if scope == targets.ROOT:
        return C, "the whole file system"
    if scope == targets.HOME:
        return C, "your home directory"
    if scope == targets.SYSTEM:
        if components(text) <= 1:
            return C, "a system directory"
        if targets.is_os_folder(text):
            if text.startswith("/var/lib/") and components(text) == 3:
                return H, "all the state one service keeps (its databases, queues, keys)"
            return H, "a folder the system runs from"
        return M, "a folder inside a system directory (one application's files)"
    if scope == targets.DEVICE:
        return H, "device files"
    if scope == targets.USER:
        return M, "a folder in your home directory"
    if scope == targets.OUTSIDE:
        return M, "a folder outside the project"
    if scope == targets.UNKNOWN:
        return M, "a path the analyzer cannot resolve"
    if scope == targets.PROJECT:
        return L, "a folder in the project"
    if scope == targets.TEMP:
        return I, "a temporary folder"
    return None, ""


def _delete_file(scan: Scan, call: Call, path: Value, scope: str) -> None:
    text = path.text
    if scope in (targets.SYSTEM, targets.ROOT):
        sensitive = targets.is_sensitive_system_file(text) or components(text) <= 2
        if sensitive or targets.in_os_tree(text):
            scan.report(
                "bash.fs.delete_sensitive",
                call,
                target=path.shown,
                scope=scope,
                severity=C if sensitive else H,
                detail=_joined("a system file the machine relies on", call.note()),
            )
        else:
            scan.report(
                "bash.fs.delete",
                call,
                target=path.shown,
                scope=scope,
                detail=_joined("a file one application keeps in a system folder", call.note()),
            )
    elif scope in (targets.HOME, targets.USER, targets.OUTSIDE):
        scan.report("bash.fs.delete", call, target=path.shown, scope=scope, detail=call.note())


_FIND_TESTS = frozenset(
    [
        "-name",
        "-iname",
        "-path",
        "-ipath",
        "-wholename",
        "-iwholename",
        "-regex",
        "-iregex",
        "-lname",
        "-ilname",
        "-newer",
        "-mtime",
        "-mmin",
        "-atime",
        "-amin",
        "-ctime",
        "-cmin",
        "-size",
        "-user",
        "-group",
        "-perm",
        "-uid",
        "-gid",
        "-inum",
        "-links",
        "-samefile",
        "-fstype",
        "-context",
        "-empty",
        "-nouser",
        "-nogroup",
        "-used",
    ]
)
_FIND_VALUED = (_FIND_TESTS - {"-empty", "-nouser", "-nogroup"}) | {
    "-type",
    "-xtype",
    "-maxdepth",
    "-mindepth",
    "-printf",
    "-fprint",
    "-fprint0",
    "-fprintf",
    "-fls",
    "-regextype",
    "-files0-from",
}


def find(scan: Scan, call: Call) -> Stream:
    args = call.args
    index = 0
    while (index < len(args) and args[index].text in ("-H", "-L", "-P")) or (
        index < len(args) and args[index].text.startswith(("-O", "-D"))
    ):
        index += 2 if args[index].text == "-D" else 1
    roots: list[Value] = []
    while index < len(args) and not args[index].text.startswith(("-", "(", "!", ")")):
        roots.append(args[index])
        index += 1
    if not roots:
        roots = [Value(text=".", raw=".")]
    expression = args[index:]
    name_filter: str | None = None
    filtered = False
    actions: list[tuple[str, list[Value]]] = []
    position = 0
    while position < len(expression):
        token = expression[position].text
        position += 1
        if token in ("-name", "-iname", "-path", "-ipath") and position < len(expression):
            name_filter = (
                expression[position].text.lstrip("*/")
                if token.endswith("path")
                else expression[position].text
            )
            filtered = True
        elif token in _FIND_TESTS:
            filtered = True
        if token in ("-exec", "-execdir", "-ok", "-okdir"):
            command: list[Value] = []
            while position < len(expression) and expression[position].text not in (";", "+"):
                command.append(expression[position])
                position += 1
            position += 1
            actions.append(("exec", command))
            continue
        if token == "-delete":
            actions.append(("delete", []))
            continue
        if token in _FIND_VALUED:
            position += 1
    filter_text = name_filter if name_filter is not None else ("" if filtered else None)
    entries = [
        Value(
            text=root.text,
            raw=root.raw,
            known=root.known,
            leading=root.leading,
            tree=True,
            filter=filter_text,
        )
        for root in roots
    ]
    for kind, command in actions:
        if kind == "delete":
            for entry in entries:
                delete(scan, call, entry, recursive=True, how="deletes")
            continue
        for entry in entries:
            argv = [entry if "{}" in part.text else part for part in command]
            if "{}" not in "".join(part.text for part in command):
                argv.append(entry)
            scan.run_argv(call, argv, "find -exec")
    return Stream(frozenset(Taint(PATHS, entry.text, filter=filter_text) for entry in entries))


# ---------------------------------------------------------------------------------------------- permissions
_OCTAL = re.compile(r"^[0-7]{3,4}$")
_SYMBOLIC = re.compile(r"^([ugoa]*)([-+=])([rwxXstugo]*)$")


def _mode(mode: str) -> tuple[bool, bool, bool]:
    """(world-writable, world-readable, setuid/setgid) for a chmod mode."""
    if _OCTAL.match(mode):
        digits = mode.rjust(4, "0")
        return int(digits[3]) & 2 != 0, int(digits[3]) & 4 != 0, int(digits[0]) & 6 != 0
    writable = readable = setuid = False
    for clause in mode.split(","):
        match = _SYMBOLIC.match(clause)
        if not match or match.group(2) == "-":
            continue
        who, permissions = match.group(1), match.group(3)
        everyone = "o" in who or "a" in who
        writable = writable or (everyone and "w" in permissions)
        readable = readable or (everyone and "r" in permissions)
        setuid = setuid or ("s" in permissions and ("u" in who or "g" in who or who in ("", "a")))
    return writable, readable, setuid


def chmod(scan: Scan, call: Call) -> Stream:
    parsed = parse_options(call.args, frozenset({"--reference"}))
    recursive = parsed.has("-R", "--recursive")
    operands = list(parsed.operands)
    # modes such as -w or -x look like options; give them back
    for flag in ("-w", "-x", "-r", "-s", "-t", "-X"):
        if flag in parsed.flags and not operands[:1]:
            operands.insert(0, Value(text=flag, raw=flag))
    if not operands or parsed.has("--reference"):
        return NOTHING
    mode, files = operands[0].text, operands[1:]
    writable, readable, setuid = _mode(mode)
    for value in files:
        path = scan.absolute(value)
        scope = targets.scope(path.text)
        if setuid:
            scan.report(
                "bash.proc.privilege",
                call,
                target=path.shown,
                scope=scope,
                detail=f"chmod {mode} sets the setuid/setgid bit: {path.shown} will run with its owner's privileges for anyone",
            )
        if writable or (readable and scope == targets.CREDENTIAL):
            _permissive(scan, call, path, scope, recursive or value.tree, mode, writable)
    return NOTHING


def _permissive(
    scan: Scan, call: Call, path: Value, scope: str, recursive: bool, mode: str, writable: bool
) -> None:
    what = "writable" if writable else "readable"
    if scope in (targets.ROOT, targets.HOME, targets.SYSTEM, targets.CREDENTIAL):
        application = scope == targets.SYSTEM and not targets.is_os_folder(path.text)
        severity = (
            C if recursive and not application and scope != targets.CREDENTIAL else (M if application else H)
        )
    elif scope == targets.TEMP:
        return
    else:
        severity = M if recursive else L
    where = {targets.ROOT: "the whole file system", targets.HOME: "your home directory"}.get(
        scope, path.shown
    )
    scan.report(
        "bash.fs.chmod_permissive",
        call,
        target=path.shown,
        scope=scope,
        severity=severity,
        confidence=Confidence.HIGH if path.known else Confidence.MEDIUM,
        detail=f"chmod {'-R ' if recursive else ''}{mode} makes {where} {what} by every user"
        + (" (every file below it)" if recursive else ""),
    )


def chown(scan: Scan, call: Call) -> Stream:
    parsed = parse_options(call.args, frozenset({"--reference", "--from"}))
    if not parsed.has("-R", "--recursive") or not parsed.operands:
        return NOTHING
    files = parsed.operands if parsed.has("--reference") else parsed.operands[1:]
    for value in files:
        path = scan.absolute(value)
        scope = targets.scope(path.text)
        if scope in (targets.PROJECT, targets.TEMP):
            continue
        application = scope == targets.SYSTEM and not targets.is_os_folder(path.text)
        severity = H if scope in (targets.ROOT, targets.HOME, targets.SYSTEM) and not application else M
        scan.report(
            "bash.fs.chown_recursive",
            call,
            target=path.shown,
            scope=scope,
            severity=severity,
            confidence=Confidence.HIGH if path.known else Confidence.MEDIUM,
            detail=f"{call.program} -R changes the owner of every file under {path.shown}",
        )
    return NOTHING


# ---------------------------------------------------------------------------------------------- copies and edits
_COPY_VALUED = frozenset(
    {"-t", "--target-directory", "-S", "--suffix", "-m", "--mode", "-o", "-g", "--owner", "--group"}
)


def copy(scan: Scan, call: Call) -> Stream:
    """cp, mv, install, ln: sources are read (or linked), the destination is written."""
    parsed = parse_options(call.args, _COPY_VALUED)
    operands = list(parsed.operands)
    directory = parsed.get("-t", "--target-directory")
    if directory is None:
        if len(operands) < 2:
            return NOTHING
        destination, sources = operands[-1], operands[:-1]
    else:
        destination, sources = directory, operands
    link = call.program == "ln"
    for source in sources:
        if link:
            if source.text == "/dev/null" and is_history(destination.text):
                scan.report(
                    "bash.evasion.history_wipe",
                    call,
                    target=destination.shown,
                    detail="links it to /dev/null so nothing is recorded",
                )
                continue
            content = NOTHING
        else:
            content = read_file(scan, call, source)
            if call.program == "mv" and (is_history(source.text) or _is_sensitive(source.text)):
                delete(scan, call, source, recursive=False, how="moves away")
        target = destination
        if destination.text.endswith("/") and source.known:
            target = destination.with_text(destination.text + posixpath.basename(source.text.rstrip("/")))
        write_file(scan, call, target, content, how=_VERB.get(call.program, "writes"))
    return NOTHING


_VERB = {
    "cp": "copies into",
    "mv": "moves into",
    "install": "installs into",
    "ln": "links into",
    "rsync": "copies into",
}


def _is_sensitive(path: str) -> bool:
    return targets.scope(path) in (targets.SYSTEM, targets.CREDENTIAL) or targets.is_sensitive_system_file(
        path
    )


def tee(scan: Scan, call: Call) -> Stream:
    parsed = parse_options(call.args)
    append = parsed.has("-a", "--append")
    for value in parsed.operands:
        write_file(scan, call, value, call.stdin, append=append)
    return call.stdin


def sed(scan: Scan, call: Call) -> Stream:
    in_place = False
    script_values: list[Value] = []
    rest: list[Value] = []
    args = call.args
    index = 0
    while index < len(args):
        text = args[index].text
        index += 1
        if text.startswith("--in-place") or (text.startswith("-i") and not text.startswith("--")):
            in_place = True
            continue
        if text in ("-e", "--expression") and index < len(args):
            script_values.append(args[index])
            index += 1
            continue
        if text in ("-f", "--file", "-l", "--line-length") and index < len(args):
            index += 1
            continue
        if text.startswith("-") and text != "-" and len(text) > 1:
            if "i" in text[1:] and not text.startswith("--"):
                in_place = True
            continue
        rest.append(args[index - 1])
    if not script_values and rest:
        script_values, rest = [rest[0]], rest[1:]
    script = "\n".join(_sed_result(value.text) for value in script_values)
    if in_place:
        for value in rest:
            write_file(scan, call, value, Stream(content=script), how="edits")
        return NOTHING
    return read_all(scan, call, rest).union(call.stdin) if rest else call.stdin


def _sed_result(script: str) -> str:
    """What a sed script puts into the file: the replacement of `s/old/new/`, or the text it adds."""
    if len(script) > 2 and script[0] == "s" and not script[1].isalnum():
        parts = script[2:].split(script[1])
        return parts[1] if len(parts) > 1 else script
    return script


def dd(scan: Scan, call: Call) -> Stream:
    source = destination = None
    for value in call.args:
        if value.text.startswith("if="):
            source = value.with_text(value.text[3:])
        elif value.text.startswith("of="):
            destination = value.with_text(value.text[3:])
    content = read_file(scan, call, source) if source is not None else call.stdin
    if (
        source is not None
        and source.text in ENDLESS_DEVICES
        and not any(value.text.startswith("count=") for value in call.args)
    ):  # no count: dd copies until the destination is full
        content = content.union(Stream(frozenset({Taint(ENDLESS, f"dd if={source.text}")})))
    if destination is None:
        return content
    write_file(scan, call, destination, content, how="writes over")
    return NOTHING


def truncate(scan: Scan, call: Call) -> Stream:
    parsed = parse_options(call.args, frozenset({"-s", "--size", "-r", "--reference"}))
    for value in parsed.operands:
        write_file(scan, call, value, Stream(content=""), how="truncates")
    return NOTHING


_GPG_VALUED = frozenset(
    {"-r", "--recipient", "-o", "--output", "-u", "--local-user", "--passphrase", "--cipher-algo"}
)


def gpg(scan: Scan, call: Call) -> Stream:
    """gpg -c / -e FILE…: remembered, so that deleting the same files afterwards is seen as ransomware's shape."""
    parsed = parse_options(call.args, _GPG_VALUED)
    if parsed.has("-c", "--symmetric", "-e", "--encrypt", "--encrypt-files") and not parsed.has(
        "-d", "--decrypt"
    ):
        for value in parsed.operands:
            scan.record_encryption(scan.absolute(value).text, "gpg")
    return read_all(scan, call, parsed.operands)


def in_place_encryption(scan: Scan, call: Call) -> Stream:
    """ccrypt and mcrypt replace each file with its encrypted copy: over a tree or a glob, that is ransomware's shape."""
    parsed = parse_options(call.args, frozenset({"-K", "--key", "-k", "--keyfile", "-a", "-m"}))
    if parsed.has("-d", "--decrypt", "-c", "--cat"):
        return NOTHING
    for value in parsed.operands:
        path = scan.absolute(value)
        if "*" in path.text or path.tree or parsed.has("-r", "--recursive", "-R"):
            scan.report(
                "bash.crypto.mass_encrypt",
                call,
                target=path.shown,
                scope=targets.scope(path.text),
                detail=f"{call.program} replaces every file of {path.shown} with an encrypted copy",
            )
    return NOTHING


def shred(scan: Scan, call: Call) -> Stream:
    """shred overwrites a file's content in place (and deletes it with -u): the data is gone either way."""
    parsed = parse_options(call.args, frozenset({"-n", "--iterations", "-s", "--size", "--random-source"}))
    for value in parsed.operands:
        if is_block_device(value.text):
            write_file(scan, call, value, NOTHING, how="overwrites")
        else:
            delete(scan, call, value, recursive=value.tree, how="shreds")
    for value in call.items or []:  # `find ~ -type f -exec shred -u {} \;`: every file of the tree
        delete(scan, call, value, recursive=value.tree, how="shreds")
    return NOTHING


def _erases(call: Call) -> bool:
    """Whether this disk tool invocation writes to the device, rather than listing or inspecting it."""
    words = {value.text for value in call.args}
    program = call.program
    if program.startswith("mkfs") or program in ("mke2fs", "mkswap", "blkdiscard"):
        return True
    if program == "wipefs":
        return bool(words & {"-a", "--all", "-o", "--offset"}) or any(w.startswith("-a") for w in words)
    if program == "sgdisk":
        return any(
            w.startswith(("-Z", "--zap", "-o", "--clear", "-n", "--new", "-d", "--delete")) for w in words
        )
    if program == "parted":
        return bool(words & {"mklabel", "mkpart", "rm", "resizepart", "mkfs"})
    if program in ("fdisk", "sfdisk"):
        return not words & {"-l", "--list", "-d", "--dump", "-s", "--show-size"}
    if program == "hdparm":
        return any(w.startswith(("--security-erase", "--write-sector", "--trim-sector")) for w in words)
    if program == "badblocks":
        return "-w" in words
    if program == "cryptsetup":
        return bool(words & {"luksFormat", "erase", "luksErase", "format"})
    return False


def disk_tool(scan: Scan, call: Call) -> Stream:
    """mkfs, wipefs, sgdisk, parted, …: formatting or wiping a block device destroys what was on it."""
    if not _erases(call):
        return NOTHING
    for value in call.args:
        if is_block_device(value.text) or (not value.known and value.text.startswith("$")):
            scan.report(
                "bash.sys.disk_overwrite",
                call,
                target=value.shown,
                scope=targets.DEVICE,
                confidence=Confidence.HIGH if value.known else Confidence.MEDIUM,
                detail=f"{call.program} erases {value.shown}"
                + ("" if value.known else " (a device chosen at run time)"),
            )
    return NOTHING


FileHandler = Callable[[Scan, Call], Stream]

HANDLERS: dict[str, FileHandler] = {
    "rm": rm,
    "unlink": rm,
    "find": find,
    "chmod": chmod,
    "chown": chown,
    "chgrp": chown,
    "cp": copy,
    "mv": copy,
    "install": copy,
    "gpg": gpg,
    "gpg2": gpg,
    "ccrypt": in_place_encryption,
    "ccencrypt": in_place_encryption,
    "mcrypt": in_place_encryption,
    "ln": copy,
    "tee": tee,
    "sed": sed,
    "gsed": sed,
    "dd": dd,
    "truncate": truncate,
    "shred": shred,
    "wipefs": disk_tool,
    "mke2fs": disk_tool,
    "mkswap": disk_tool,
    "blkdiscard": disk_tool,
    "sgdisk": disk_tool,
    "sfdisk": disk_tool,
    "fdisk": disk_tool,
    "parted": disk_tool,
    "hdparm": disk_tool,
    "badblocks": disk_tool,
    "cryptsetup": disk_tool,
}
