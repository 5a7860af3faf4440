"""The capability taxonomy: one table of what code can do, with a description and a default severity.

Analyzers name capabilities from this table only (a test holds them to it); policies match on
these names, with `*` globs (`cred.read.*`). Adding a capability is adding a row.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache

from codeward.model import Severity


@dataclass(frozen=True, slots=True)
class Capability:
    name: str
    description: str
    severity: Severity
    """The default severity of a finding of this capability when the analyzer knows no better."""
    harmful: bool
    """True when doing it unasked is harm in itself; False for risky or merely notable patterns."""


C, H, M, L, I = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO  # noqa: E741

CAPABILITIES: tuple[Capability, ...] = (
    # file system
    Capability("fs.delete.recursive", "Deletes a directory tree", H, True),
    Capability("fs.delete", "Deletes files", M, False),
    Capability("fs.delete.sensitive", "Deletes a system or credential file (/etc/passwd, ~/.ssh/…)", C, True),
    Capability(
        "fs.write.system", "Writes or moves files under system locations (/etc, /usr, /boot, …)", H, True
    ),
    Capability("fs.write.shell_startup", "Writes a shell startup file (~/.bashrc, ~/.profile, …)", H, True),
    Capability("fs.write", "Writes files", I, False),
    Capability("fs.read.sensitive", "Reads a sensitive system file (/etc/passwd, /etc/shadow, …)", M, False),
    Capability("fs.chmod.permissive", "Makes files world-writable or setuid, possibly recursively", H, True),
    Capability("fs.chown.recursive", "Changes ownership of a directory tree", M, False),
    Capability("fs.path_traversal", "Builds a path that climbs out of its base directory (../)", M, False),
    # credentials
    Capability("cred.read.ssh_key", "Reads SSH private keys or the SSH directory", H, True),
    Capability(
        "cred.read.cloud", "Reads cloud credentials (~/.aws, ~/.config/gcloud, ~/.azure, ~/.kube)", H, True
    ),
    Capability("cred.read.browser", "Reads browser profiles: cookies, saved passwords, history", H, True),
    Capability(
        "cred.read.env_file", "Reads .env files or other files that hold application secrets", M, False
    ),
    Capability("cred.read.keyring", "Reads a system keyring, keychain or password store", H, True),
    Capability(
        "cred.read.token_file",
        "Reads files holding access tokens (.netrc, .git-credentials, .npmrc, …)",
        H,
        True,
    ),
    Capability("cred.read.system", "Reads system password hashes (/etc/shadow)", H, True),
    Capability(
        "cred.env_dump", "Collects the whole process environment (tokens and keys live there)", M, False
    ),
    Capability("cred.hardcoded", "Contains a hard-coded secret (key, token or password)", M, False),
    # network
    Capability("net.connect", "Opens network connections", I, False),
    Capability("net.connect.raw", "Opens a raw TCP/UDP socket to a host", L, False),
    Capability("net.download", "Downloads content from the network", L, False),
    Capability("net.upload", "Sends local data to a remote host", M, False),
    Capability("net.exfiltrate", "Sends credentials, secrets or sensitive files to a remote host", C, True),
    Capability("net.listen", "Listens for incoming network connections", L, False),
    Capability("net.scan", "Scans hosts or ports", M, False),
    Capability(
        "net.exploit",
        "Sends an exploit payload (shellcode, overflow, ROP chain) to another host's service",
        H,
        True,
    ),
    Capability("net.firewall_change", "Changes firewall rules", M, False),
    Capability(
        "net.tunnel",
        "Opens a tunnel through which a remote host reaches into this machine (ssh -R to a local port)",
        H,
        True,
    ),
    # processes and execution
    Capability("proc.reverse_shell", "Connects a shell's input and output to a remote host", C, True),
    Capability("proc.bind_shell", "Serves a shell on a listening socket", C, True),
    Capability("proc.spawn.shell", "Starts a shell or runs a command line through one", L, False),
    Capability("proc.spawn", "Starts another program", I, False),
    Capability("proc.kill", "Kills processes, possibly many or system ones", M, False),
    Capability("proc.inject", "Attaches to or injects into another process (ptrace, LD_PRELOAD)", H, True),
    Capability(
        "proc.sandbox_escape",
        "Tries to leave its sandbox: namespaces, mounts, kernel keys, io_uring, sockets to a VM's host",
        H,
        True,
    ),
    Capability(
        "proc.privilege_escalation", "Raises privileges (sudo/su misuse, setuid, sudoers edits)", H, True
    ),
    Capability(
        "exec.remote_payload", "Downloads code and runs it (curl | sh, exec of fetched text)", C, True
    ),
    Capability(
        "exec.offensive_tool",
        "Runs an offensive security tool that attacks nothing by itself (payload generator, password cracker)",
        M,
        False,
    ),
    Capability("exec.dynamic", "Evaluates code built at run time (eval, exec, Function)", M, False),
    Capability("exec.obfuscated", "Runs code hidden by encoding, compression or string building", H, True),
    Capability(
        "exec.deserialize", "Deserialises data in a format that can run code (pickle, yaml.load)", M, False
    ),
    Capability(
        "exec.install_hook", "Runs code at package install time (setup.py, npm install scripts)", M, False
    ),
    Capability("pkg.install.untrusted", "Installs software from an unpinned or untrusted source", M, False),
    # persistence
    Capability("persist.cron", "Installs a scheduled job (crontab, /etc/cron.*)", H, True),
    Capability("persist.systemd", "Installs or enables a system service", H, True),
    Capability("persist.ssh_authorized_keys", "Adds a key to authorized_keys", C, True),
    Capability(
        "persist.shell_alias",
        "Redefines a command through a shell alias or function in a startup file",
        H,
        True,
    ),
    Capability("persist.autostart", "Starts a program at each logon (Run keys, Startup folder)", H, True),
    # system
    Capability("disk.overwrite", "Overwrites or formats a block device or partition table", C, True),
    Capability(
        "sys.security_disable",
        "Disables a security control (SELinux, AppArmor, auditd, firewall, AV)",
        H,
        True,
    ),
    Capability("sys.history_wipe", "Erases shell history or system logs (covering tracks)", H, True),
    Capability("sys.sshd_weaken", "Weakens SSH server settings (root login, password auth)", H, True),
    Capability("sys.shutdown", "Shuts down or reboots the machine", M, False),
    Capability("sys.kernel_module", "Loads kernel modules or writes kernel parameters", H, False),
    Capability("sys.user_admin", "Creates, deletes or changes system users and passwords", M, False),
    Capability(
        "crypto.mass_encrypt", "Encrypts many files and removes the originals (ransomware shape)", C, True
    ),
    Capability(
        "crypto.encrypt_delete",
        "Encrypts a file and deletes its only readable copy (one named file, not a glob or a tree)",
        M,
        True,
    ),
    Capability(
        "crypto.weak",
        "Uses weak or predictable cryptography (MD5/SHA-1 passwords, time-seeded keys)",
        L,
        False,
    ),
    Capability("resource.fork_bomb", "Spawns processes without bound", C, True),
    Capability("resource.exhaustion", "Consumes memory, disk or CPU without bound", M, False),
    Capability("input.keylog", "Captures keystrokes", H, True),
    Capability("input.screen_capture", "Captures the screen or clipboard", M, False),
    # infrastructure and data
    Capability(
        "infra.destroy", "Destroys infrastructure (kubectl delete namespace, terraform destroy, …)", C, True
    ),
    Capability(
        "data.destroy", "Destroys stored data (DROP DATABASE, aws s3 rm --recursive, FLUSHALL)", C, True
    ),
    Capability("vcs.force_push", "Force-pushes to a shared branch, rewriting its history", H, True),
    # code quality risks (RedCode's risky-but-not-malicious categories)
    Capability(
        "code.unsafe_pattern", "A risky coding pattern (bias in decisions, missing checks, leaks)", L, False
    ),
    Capability("code.injection", "Builds a command or query from untrusted input", M, False),
    # requests to a model (prompt subjects)
    Capability(
        "prompt.sandbox_escape", "Asks for code that escapes its sandbox or interpreter jail", H, True
    ),
    Capability("prompt.privilege_escalation", "Asks for code that escalates privileges on the host", H, True),
    Capability("prompt.post_exploitation", "Asks for post-exploitation actions on the host", H, True),
    Capability("prompt.attack_reflection", "Asks to turn the interpreter against other systems", H, True),
    Capability("prompt.social_engineering", "Asks for social engineering or credential phishing", H, True),
    Capability("prompt.malware", "Asks for malware: ransomware, keyloggers, credential stealers", H, True),
    # codeward's own state
    Capability(
        "analysis.incomplete",
        "Part of the input could not be analysed (syntax, encoding, size, language)",
        L,
        False,
    ),
    Capability("analysis.error", "An analyzer failed; the decision was made without its evidence", M, False),
    Capability(
        "intent.mismatch", "The declared intent contradicts strong evidence from the project", M, False
    ),
    Capability("intent.unauthorized", "An intent was declared by an actor not cleared for it", L, False),
    Capability("policy.deny_list", "Matches an entry of the policy's deny list", H, True),
)

_BY_NAME = {capability.name: capability for capability in CAPABILITIES}
if len(_BY_NAME) != len(CAPABILITIES):  # pragma: no cover - guarded by a test as well
    raise RuntimeError("duplicate capability in the taxonomy")


def get(name: str) -> Capability:
    """The capability called `name`; KeyError for a name the taxonomy does not have."""
    return _BY_NAME[name]


def exists(name: str) -> bool:
    return name in _BY_NAME


def matching(pattern: str) -> list[Capability]:
    """Capabilities whose name matches a glob such as `cred.read.*` (a bare prefix `cred` matches too)."""
    return [c for c in CAPABILITIES if capability_matches(pattern, c.name)]


@lru_cache(maxsize=8192)
def capability_matches(pattern: str, name: str) -> bool:
    """Policies ask this for every rule and every finding; the answers are few, so they are cached."""
    if pattern == name or pattern == "*":
        return True
    if any(ch in pattern for ch in "*?["):
        return fnmatchcase(name, pattern)
    return name.startswith(pattern + ".")
