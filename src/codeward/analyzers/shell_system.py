"""Shell commands that change the machine or the infrastructure it manages, rather than files.

Persistence (crontab, systemctl enable), defence evasion (history wiping, disabling SELinux,
auditd or the firewall), killing processes, users and privileges, kernel modules, shutdown, and
destructive infrastructure and data commands (kubectl, terraform, cloud CLIs, SQL clients, git).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import re2

from codeward.analyzers import targets
from codeward.analyzers.shell_files import read_file
from codeward.analyzers.shell_network import remote_copy
from codeward.analyzers.shell_programs import Call, Scan, parse_options
from codeward.analyzers.shell_words import CREDENTIAL, NOTHING, PROCESSES, Stream, Taint, Value
from codeward.model import Confidence, Severity

C, H, M, L, I = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO  # noqa: E741

SECURITY_SERVICES = frozenset(
    [
        "auditd",
        "audit",
        "apparmor",
        "firewalld",
        "ufw",
        "iptables",
        "ip6tables",
        "nftables",
        "netfilter-persistent",
        "fail2ban",
        "selinux",
        "clamav-daemon",
        "clamd",
        "clamav-freshclam",
        "falco",
        "osqueryd",
        "wazuh-agent",
        "ossec",
        "falcon-sensor",
        "sentinelone",
        "auditbeat",
        "rsyslog",
        "syslog",
        "syslog-ng",
        "systemd-journald",
        "snort",
        "suricata",
        "aide",
        "tripwire",
        "mdatp",
        "sophos",
        "crowdstrike",
        # the daemons behind them, as a process list names them
        "falcond",
        "sentineld",
        "wdavdaemon",
        "wazuh-agentd",
        "ossec-agentd",
        "cbagentd",
        "elastic-agent",
        "elastic-endpoint",
        "sysmon",
        "MsMpEng",
        "msmpeng",
    ]
)
SYSTEM_DAEMONS = frozenset(
    [
        "sshd",
        "ssh",
        "systemd",
        "init",
        "dbus",
        "dbus-daemon",
        "networkmanager",
        "wpa_supplicant",
        "rsyslogd",
        "rsyslog",
        "syslogd",
        "journald",
        "systemd-journald",
        "cron",
        "crond",
        "atd",
        "auditd",
        "dockerd",
        "docker",
        "containerd",
        "containerd-shim",
        "docker-containerd-shim",
        "docker-proxy",
        "runc",
        "kubelet",
        "kube-proxy",
        "kube-apiserver",
        "etcd",
        "xorg",
        "gdm",
        "gdm3",
        "lightdm",
        "sddm",
        "udevd",
        "systemd-udevd",
        "polkitd",
        "login",
        "getty",
        "agetty",
        "chronyd",
        "ntpd",
        "firewalld",
        "snapd",
        "multipathd",
        "acpid",
        "apache2",
        "httpd",
        "nginx",
        "mysqld",
        "mariadbd",
        "postgres",
        "postgresql",
        "redis-server",
        "mongod",
        "php-fpm",
    ]
)
_WORD = re.compile(r"[A-Za-z0-9_.-]+")


def _unit(name: str) -> str:
    return name.removesuffix(".service").removesuffix(".socket").rsplit("@", 1)[0].lower()


def _subcommand(call: Call, valued: frozenset[str] = frozenset()) -> tuple[str, list[Value]]:
    """The first operand as a subcommand, skipping global options (`git -C dir push`, `gsutil -m rm`)."""
    args = call.args
    index = 0
    while index < len(args) and args[index].text.startswith("-"):
        index += 2 if args[index].text in valued else 1
    if index >= len(args):
        return "", []
    return args[index].text, args[index + 1 :]


# ---------------------------------------------------------------------------------------------- persistence
def crontab(scan: Scan, call: Call) -> Stream:
    parsed = parse_options(call.args, frozenset({"-u"}))
    if parsed.has("-l", "-r", "-i") and not parsed.operands:
        return NOTHING
    content = call.stdin.content
    source = parsed.operands[0].shown if parsed.operands else "standard input"
    detail = "opens the crontab for editing" if parsed.has("-e") else f"installs a crontab from {source}"
    scan.report("bash.persist.cron", call, target="crontab", scope=targets.SYSTEM, detail=detail)
    if content:
        for line in content.splitlines()[:50]:
            fields = line.split(None, 5)
            if len(fields) == 6 and not line.lstrip().startswith("#"):
                scan.run_code(call, Value(text=fields[5], raw=fields[5]), "bash", "a cron job")
    return NOTHING


def at(scan: Scan, call: Call) -> Stream:
    if any(v.text in ("-l", "-d", "-r", "-c") for v in call.args):
        return NOTHING
    scan.report(
        "bash.persist.cron",
        call,
        target=call.program,
        scope=targets.SYSTEM,
        severity=M,
        detail="schedules a command to run later",
    )
    if call.stdin.content is not None or call.stdin.taints:
        scan.run_code(call, call.stdin, "bash", f"a job for {call.program}")
    return NOTHING


_ENABLE = frozenset({"enable", "reenable", "link", "preset", "add-wants", "add-requires"})
_STOP = frozenset({"stop", "disable", "mask", "kill"})
_POWER = frozenset({"reboot", "poweroff", "halt", "kexec", "emergency", "rescue", "suspend", "hibernate"})


def systemctl(scan: Scan, call: Call) -> Stream:
    verb, rest = _subcommand(
        call,
        frozenset({"-H", "--host", "-M", "--machine", "-p", "--property", "-t", "--type", "-s", "--signal"}),
    )
    units = [v for v in rest if not v.text.startswith("-")]
    if verb in _ENABLE:
        for unit in units:
            scan.report(
                "bash.persist.systemd",
                call,
                target=unit.shown,
                scope=targets.SYSTEM,
                severity=M,
                detail="starts it at every boot",
            )
    elif verb in _STOP:
        for unit in units:
            if _unit(unit.text) in SECURITY_SERVICES:
                _security(scan, call, unit.shown, f"systemctl {verb} {unit.shown}")
    elif verb in _POWER:
        scan.report("bash.sys.shutdown", call, target=verb, detail=f"systemctl {verb}")
    return NOTHING


def service(scan: Scan, call: Call) -> Stream:
    """`service NAME stop`, `update-rc.d NAME disable`, `chkconfig NAME off`."""
    words = [v.text for v in call.args if not v.text.startswith("-")]
    if len(words) < 2:
        return NOTHING
    name, verb = words[0], words[1]
    if _unit(name) in SECURITY_SERVICES and verb in ("stop", "disable", "remove", "off", "mask"):
        _security(scan, call, name, f"{call.program} {name} {verb}")
    elif verb in ("defaults", "enable", "on"):
        scan.report(
            "bash.persist.systemd",
            call,
            target=name,
            scope=targets.SYSTEM,
            severity=M,
            detail="starts it at every boot",
        )
    return NOTHING


def launchctl(scan: Scan, call: Call) -> Stream:
    verb, rest = _subcommand(call)
    if verb in ("load", "bootstrap", "enable", "submit"):
        scan.report(
            "bash.persist.systemd",
            call,
            target=" ".join(v.shown for v in rest) or verb,
            severity=M,
            detail=f"launchctl {verb}",
        )
    return NOTHING


# ---------------------------------------------------------------------------------------------- defence evasion
def _security(scan: Scan, call: Call, target: str, detail: str, severity: Severity = H) -> None:
    scan.report(
        "bash.evasion.security_disable",
        call,
        target=target,
        scope=targets.SYSTEM,
        severity=severity,
        detail=detail,
    )


def setenforce(scan: Scan, call: Call) -> Stream:
    if call.args and call.args[0].text.lower() in ("0", "permissive"):
        _security(scan, call, "SELinux", "setenforce 0 stops SELinux from enforcing its policy")
    return NOTHING


def ufw(scan: Scan, call: Call) -> Stream:
    words = [v.text for v in call.args if not v.text.startswith("-")]
    if words[:1] == ["disable"] or words[:2] == ["default", "allow"] or words[:1] == ["reset"]:
        _security(scan, call, "ufw", f"ufw {' '.join(words[:3])} turns the firewall off")
    elif words[:1] and words[0] in ("allow", "deny", "reject", "limit", "delete", "insert", "route"):
        scan.report("bash.net.firewall", call, target="ufw", detail=f"ufw {' '.join(words[:4])}")
    return NOTHING


def iptables(scan: Scan, call: Call) -> Stream:
    texts = [v.text for v in call.args]
    joined = " ".join(texts)
    if call.program == "nft":
        if "flush ruleset" in joined or joined.startswith("flush"):
            _security(scan, call, "nftables", f"nft {joined[:60]} removes firewall rules")
        elif texts[:1] and texts[0] in ("add", "insert", "delete", "replace"):
            scan.report("bash.net.firewall", call, target="nftables", detail=f"nft {joined[:60]}")
        return NOTHING
    if any(
        t in ("-F", "--flush", "-X")
        or (t.startswith("-") and not t.startswith("--") and "F" in t[1:] and len(t) <= 4)
        for t in texts
    ):
        _security(scan, call, call.program, f"{call.program} -F removes every firewall rule")
    elif "-P" in texts and "ACCEPT" in texts:
        _security(
            scan, call, call.program, f"{call.program} {joined[:60]} lets all traffic through by default", M
        )
    elif any(t in ("-A", "-I", "-D", "-R", "--append", "--insert", "--delete", "--replace") for t in texts):
        scan.report("bash.net.firewall", call, target=call.program, detail=f"{call.program} {joined[:60]}")
    return NOTHING


def auditctl(scan: Scan, call: Call) -> Stream:
    texts = [v.text for v in call.args]
    if "-D" in texts or ("-e" in texts and texts[texts.index("-e") + 1 : texts.index("-e") + 2] == ["0"]):
        _security(scan, call, "auditd", f"auditctl {' '.join(texts)[:40]} stops the audit trail")
    return NOTHING


def apparmor(scan: Scan, call: Call) -> Stream:
    if call.program == "apparmor_parser" and not any(v.text in ("-R", "--remove") for v in call.args):
        return NOTHING
    _security(scan, call, "AppArmor", f"{call.program} removes or relaxes AppArmor profiles")
    return NOTHING


def macos_security(scan: Scan, call: Call) -> Stream:
    texts = [v.text for v in call.args]
    if "disable" in texts or "--master-disable" in texts or "--global-disable" in texts:
        _security(scan, call, call.program, f"{call.program} {' '.join(texts)[:40]}")
    return NOTHING


def history(scan: Scan, call: Call) -> Stream:
    texts = [v.text for v in call.args]
    if any(t.startswith("-") and ("c" in t or "d" in t) for t in texts) or (
        "-w" in texts and "/dev/null" in texts
    ):
        scan.report(
            "bash.evasion.history_wipe",
            call,
            target="shell history",
            detail=f"history {' '.join(texts)} erases the commands run so far",
        )
    return NOTHING


def set_builtin(scan: Scan, call: Call) -> Stream:
    texts = [v.text for v in call.args]
    if "+o" in texts and "history" in texts:
        scan.report(
            "bash.evasion.history_wipe",
            call,
            target="shell history",
            detail="set +o history stops recording commands",
        )
    return NOTHING


_RETENTION = re2.compile(
    r"^--vacuum-(?:time=(?:[1-9]\d*\s*(?:d|days?|w|weeks?|months?|y|years?))|size=(?:[5-9]\d|\d{3,})\s*[MmGg]|[1-9]\d*\s*[GgTt])"
    r"|^--vacuum-files=(?:[2-9]|\d{2,})$"
)
"""Vacuuming that keeps days, tens of megabytes or several files: log retention, not erasing the record."""


def journalctl(scan: Scan, call: Call) -> Stream:
    vacuum = [v.text for v in call.args if v.text.startswith("--vacuum")]
    if vacuum and not all(_RETENTION.match(option) for option in vacuum):
        scan.report(
            "bash.evasion.history_wipe",
            call,
            target="systemd journal",
            severity=M,
            detail=f"journalctl {vacuum[0]} deletes system logs",
        )
    return NOTHING


def variable_effects(scan: Scan, call: Call, name: str, value: Value, *, unset: bool = False) -> None:
    """Assignments that change what the shell records or loads: HISTFILE=/dev/null, HISTSIZE=0, LD_PRELOAD."""
    text = value.text.strip()
    if name == "HISTFILE" and (unset or text in ("", "/dev/null")):
        scan.report(
            "bash.evasion.history_wipe",
            call,
            target="shell history",
            detail=f"{'unset ' if unset else ''}{name}{'' if unset else '=' + text} stops the history being saved",
        )
    elif name in ("HISTSIZE", "HISTFILESIZE", "SAVEHIST") and not unset and text == "0":
        scan.report(
            "bash.evasion.history_wipe", call, target="shell history", detail=f"{name}=0 keeps no history"
        )
    elif name == "LD_PRELOAD" and not unset and text:
        scan.report(
            "bash.proc.inject",
            call,
            target=value.shown,
            scope=targets.scope(text),
            detail="every program started from here loads this library first",
        )


# ---------------------------------------------------------------------------------------------- processes
def kill(scan: Scan, call: Call) -> Stream:
    args = list(call.args)
    if any(v.text in ("-l", "-L", "--list", "--table") for v in args):
        return NOTHING
    if args and args[0].text in ("-s", "-n", "--signal"):
        args = args[2:]
    elif args and args[0].text.startswith("-") and args[0].text != "--" and len(args) > 1:
        args = args[1:]
    if args and args[0].text == "--":
        args = args[1:]
    for value in args:
        text = value.text
        if text == "-1":
            _kill(
                scan,
                call,
                "every process",
                C,
                "kill -1 signals every process the user may signal, ending the session and services",
            )
        elif text == "1":
            _kill(scan, call, "PID 1 (init)", H, "killing init brings the machine down")
        elif any(t.kind == PROCESSES for t in value.taints):
            _kill_selected(scan, call, value)
        elif text.startswith("%"):
            continue
        else:
            _kill(scan, call, value.shown, L, "kills one process")
    return NOTHING


def _kill(
    scan: Scan,
    call: Call,
    target: str,
    severity: Severity,
    detail: str,
    confidence: Confidence = Confidence.HIGH,
) -> None:
    scan.report(
        "bash.proc.kill", call, target=target, severity=severity, confidence=confidence, detail=detail
    )


def _daemons(text: str) -> list[str]:
    found = []
    for word in _WORD.findall(text[:8000]):
        lowered = word.lower()
        if lowered in SYSTEM_DAEMONS and lowered not in found:
            found.append(lowered)
    return found


def _kill_selected(scan: Scan, call: Call, value: Value) -> None:
    """A PID taken from the process list (ps, pgrep): the names that select it say what dies."""
    daemons = _daemons(value.raw + " " + scan.enclosing_text(call))
    if daemons:
        _kill(
            scan,
            call,
            ", ".join(daemons[:3]),
            H,
            f"kills system processes ({', '.join(daemons[:3])}) picked from the process list",
            Confidence.MEDIUM,
        )
    elif _NAMED_SELECTION.search(value.raw):
        # `kill $(pgrep -f ./myshell)` is `pkill -f ./myshell`: the processes are named
        _kill(scan, call, value.shown, L, "kills the processes named in the selection", Confidence.MEDIUM)
    else:
        _kill(scan, call, value.shown, M, "kills processes picked from the process list", Confidence.MEDIUM)


_NAMED_SELECTION = re2.compile(r"\$\(\s*(?:pgrep|pidof)\s+(?:-[fxilnoaewv]+\s+)*[^\s)-][^)]*\)")


def pkill(scan: Scan, call: Call) -> Stream:
    if call.program == "killall5":
        _kill(scan, call, "every process", C, "killall5 signals every process except the kernel's")
        return NOTHING
    valued = frozenset(
        {
            "-u",
            "-U",
            "-g",
            "-G",
            "-P",
            "-s",
            "-t",
            "--signal",
            "-n",
            "--ns",
            "--user",
            "-o",
            "--older-than",
            "-y",
            "--younger-than",
        }
    )
    args = [
        v
        for v in call.args
        if not (v.text.startswith("-") and v.text[1:].isdigit()) and not v.text.startswith("-SIG")
    ]
    parsed = parse_options(args, valued)
    patterns = [v.text for v in parsed.operands]
    user = parsed.get("-u", "-U", "--user")
    daemons = _daemons(" ".join(patterns))
    guards = [name for name in _WORD.findall(" ".join(patterns)[:8000]) if name.lower() in SECURITY_SERVICES]
    if guards:
        _security(scan, call, guards[0], f"{call.program} stops {', '.join(guards[:3])}, a security monitor")
    if daemons:
        _kill(
            scan,
            call,
            ", ".join(daemons[:3]),
            H,
            f"{call.program} stops {', '.join(daemons[:3])}, which the system relies on",
        )
    elif user is not None and not patterns:
        _kill(
            scan,
            call,
            f"processes of {user.shown}",
            H if user.text == "root" else M,
            f"kills every process of {user.shown}",
        )
    elif patterns:
        _kill(
            scan,
            call,
            " ".join(patterns)[:80],
            L,
            f"{call.program} kills processes matching {' '.join(patterns)[:60]}",
        )
    return NOTHING


def process_list(scan: Scan, call: Call) -> Stream:
    """ps, pgrep, pidof: their output selects processes; a kill downstream is judged by that selection."""
    words = " ".join(v.text for v in call.args)
    return Stream(frozenset({Taint(PROCESSES, f"{call.program} {words}".strip())}))


# ---------------------------------------------------------------------------------------------- users, kernel, power
_PRIVILEGED_GROUPS = frozenset(
    {"sudo", "wheel", "admin", "root", "docker", "adm", "lxd", "disk", "shadow", "libvirt"}
)


def user_admin(scan: Scan, call: Call) -> Stream:
    texts = [v.text for v in call.args]
    program = call.program
    groups: set[str] = set()
    for flag in ("-G", "-aG", "-g", "--groups", "--append", "-a"):
        if flag in texts and texts.index(flag) + 1 < len(texts):
            groups |= set(texts[texts.index(flag) + 1].split(","))
    if program in ("gpasswd",) and "-a" in texts and texts:
        groups.add(texts[-1])
    if program == "adduser" and len([t for t in texts if not t.startswith("-")]) == 2:
        groups.add(texts[-1])
    privileged = groups & _PRIVILEGED_GROUPS
    uid_zero = ("-u" in texts and texts[texts.index("-u") + 1 : texts.index("-u") + 2] == ["0"]) or (
        "-o" in texts and "-u" in texts
    )
    subject = next((t for t in reversed(texts) if not t.startswith("-")), "a user")
    if privileged:
        scan.report(
            "bash.proc.privilege",
            call,
            target=subject,
            detail=f"adds {subject} to {', '.join(sorted(privileged))}, which is root in all but name",
        )
    elif uid_zero:
        scan.report(
            "bash.proc.privilege",
            call,
            target=subject,
            severity=C,
            detail="creates a user with user id 0 (a second root)",
        )
    elif program == "passwd" and "-d" in texts:
        scan.report(
            "bash.proc.privilege",
            call,
            target=subject,
            detail="removes the password, so anyone can log in as that user",
        )
    else:
        scan.report(
            "bash.sys.user_admin",
            call,
            target=subject if texts else "the current user",
            detail=f"{program} {' '.join(texts)[:60]}".strip(),
        )
    return NOTHING


def setcap(scan: Scan, call: Call) -> Stream:
    texts = [v.text for v in call.args]
    if any("cap_setuid" in t or "cap_sys_admin" in t or "cap_dac_override" in t or "=ep" in t for t in texts):
        scan.report(
            "bash.proc.privilege",
            call,
            target=texts[-1] if texts else "?",
            detail=f"setcap {' '.join(texts)[:60]} grants root powers to a program",
        )
    return NOTHING


def kernel_module(scan: Scan, call: Call) -> Stream:
    texts = [v.text for v in call.args if not v.text.startswith("-")]
    removing = call.program == "rmmod" or any(v.text in ("-r", "--remove") for v in call.args)
    scan.report(
        "bash.sys.kernel_module",
        call,
        target=texts[0] if texts else call.program,
        severity=M if removing else H,
        detail=f"{'unloads' if removing else 'loads'} kernel module {texts[0] if texts else ''}".strip(),
    )
    return NOTHING


def sysctl(scan: Scan, call: Call) -> Stream:
    for value in call.args:
        if "=" not in value.text:
            continue
        key, _, setting = value.text.partition("=")
        if key.strip() == "kernel.randomize_va_space" and setting.strip() == "0":
            _security(scan, call, "ASLR", "turns off address space layout randomisation")
        else:
            scan.report(
                "bash.sys.kernel_module",
                call,
                target=key,
                severity=M,
                detail=f"sets kernel parameter {value.text}",
            )
    return NOTHING


def shutdown(scan: Scan, call: Call) -> Stream:
    texts = [v.text for v in call.args]
    if "-c" in texts or "--help" in texts:
        return NOTHING
    if call.program in ("init", "telinit") and not (texts and texts[0] in ("0", "6")):
        return NOTHING
    scan.report(
        "bash.sys.shutdown", call, target=call.program, detail=f"{call.program} {' '.join(texts)}".strip()
    )
    return NOTHING


# ---------------------------------------------------------------------------------------------- infrastructure
_KUBE_CRITICAL = frozenset({"namespace", "namespaces", "ns", "all"})
_KUBE_STATEFUL = frozenset(
    [
        "node",
        "nodes",
        "no",
        "pv",
        "persistentvolume",
        "persistentvolumes",
        "pvc",
        "persistentvolumeclaim",
        "persistentvolumeclaims",
        "crd",
        "crds",
        "customresourcedefinition",
        "customresourcedefinitions",
        "clusterrole",
        "clusterrolebinding",
        "statefulset",
        "statefulsets",
        "sts",
    ]
)


def kubectl(scan: Scan, call: Call) -> Stream:
    printed = printed_credential(scan, call)
    if printed is not None:
        return printed
    verb, rest = _subcommand(
        call, frozenset({"-n", "--namespace", "--context", "--kubeconfig", "-s", "--server"})
    )
    if verb != "delete":
        return NOTHING
    texts = [v.text for v in rest]
    kinds = {t.split("/", 1)[0].lower() for t in texts if not t.startswith("-")}
    everything = bool({"--all", "-A", "--all-namespaces"} & set(texts))
    shown = " ".join(texts)[:80]
    if kinds & _KUBE_CRITICAL or everything:
        scan.report(
            "bash.infra.destroy",
            call,
            target=f"kubectl delete {shown}",
            detail="deletes a namespace or every resource of a kind, with their workloads and data",
        )
    elif kinds & _KUBE_STATEFUL:
        scan.report(
            "bash.infra.destroy",
            call,
            target=f"kubectl delete {shown}",
            severity=H,
            detail="deletes cluster-wide or stateful resources",
        )
    elif "-f" in texts or "--filename" in texts:
        scan.report(
            "bash.infra.destroy",
            call,
            target=f"kubectl delete {shown}",
            severity=M,
            confidence=Confidence.LOW,
            detail="deletes whatever the manifest lists",
        )
    return NOTHING


def helm(scan: Scan, call: Call) -> Stream:
    verb, rest = _subcommand(call, frozenset({"-n", "--namespace", "--kube-context", "--kubeconfig"}))
    if verb in ("uninstall", "delete", "del", "un"):
        scan.report(
            "bash.infra.destroy",
            call,
            target=" ".join(v.shown for v in rest if not v.text.startswith("-")) or "a release",
            severity=H,
            detail="helm uninstall removes the release and its resources",
        )
    return NOTHING


def terraform(scan: Scan, call: Call) -> Stream:
    verb, rest = _subcommand(call, frozenset({"-chdir"}))
    texts = [v.text for v in rest]
    if verb == "destroy" or (verb == "apply" and ("-destroy" in texts or "--destroy" in texts)):
        scan.report(
            "bash.infra.destroy",
            call,
            target=f"{call.program} {verb}",
            detail="destroys every resource the configuration manages",
        )
    elif verb == "state" and texts[:1] == ["rm"]:
        scan.report(
            "bash.infra.destroy",
            call,
            target=f"{call.program} state rm",
            severity=M,
            detail="makes the tool forget resources",
        )
    return NOTHING


def destroy_verb(scan: Scan, call: Call) -> Stream:
    """pulumi/cdk/eksctl/serverless destroy and delete."""
    verb, rest = _subcommand(call)
    if verb in ("destroy", "remove") or (
        verb == "delete" and rest[:1] and rest[0].text in ("cluster", "stack", "nodegroup")
    ):
        scan.report(
            "bash.infra.destroy",
            call,
            target=f"{call.program} {verb}",
            detail=f"{call.program} {verb} tears the stack down",
        )
    return NOTHING


_DATA_SERVICES = frozenset(
    {
        "s3",
        "s3api",
        "rds",
        "dynamodb",
        "efs",
        "backup",
        "glacier",
        "redshift",
        "elasticache",
        "docdb",
        "neptune",
        "sql",
        "storage",
        "firestore",
        "spanner",
        "bigtable",
        "bigquery",
    }
)


# (program, words that must all appear) -> the credential the command prints
_TOKEN_PRINTERS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("gcloud", ("auth", "print-access-token"), "cred.read.cloud"),
    ("gcloud", ("auth", "print-identity-token"), "cred.read.cloud"),
    ("gcloud", ("auth", "application-default", "print-access-token"), "cred.read.cloud"),
    ("az", ("account", "get-access-token"), "cred.read.cloud"),
    ("aws", ("configure", "export-credentials"), "cred.read.cloud"),
    ("aws", ("sts", "get-session-token"), "cred.read.cloud"),
    ("aws", ("ecr", "get-login-password"), "cred.read.cloud"),
    ("kubectl", ("config", "view", "--raw"), "cred.read.cloud"),
    ("gh", ("auth", "token"), "cred.read.token_file"),
    ("secret-tool", ("lookup",), "cred.read.keyring"),
    ("kwallet-query", ("-r",), "cred.read.keyring"),
)
_KEYCHAIN_READS = frozenset({"find-generic-password", "find-internet-password", "dump-keychain"})
_KEYCHAIN_SECRET_FLAGS = {"find-generic-password": "wg", "find-internet-password": "wg", "dump-keychain": "d"}


def _keychain_secret(call: Call) -> str | None:
    """`security find-generic-password -wa NAME` (flags in any grouping), `security dump-keychain -d`:
    macOS's keychain printing a stored password; the subcommand, else None."""
    if call.program != "security" or not call.args or call.args[0].text not in _KEYCHAIN_READS:
        return None
    command = call.args[0].text
    flags = "".join(
        v.text[1:] for v in call.args[1:] if v.text.startswith("-") and not v.text.startswith("--")
    )
    return command if any(flag in flags for flag in _KEYCHAIN_SECRET_FLAGS[command]) else None


def printed_credential(scan: Scan, call: Call) -> Stream | None:
    """Commands whose output is a live credential (`gh auth token`, `gcloud auth print-access-token`)."""
    words = {value.text for value in call.args}
    keychain = _keychain_secret(call)
    if keychain is not None:
        shown = f"security {keychain}"
        scan.report(
            "bash.cred.read_credentials",
            call,
            target=shown,
            scope=targets.CREDENTIAL,
            capability="cred.read.keyring",
            detail="prints a password stored in the macOS keychain",
        )
        return Stream(frozenset({Taint(CREDENTIAL, shown, "cred.read.keyring")}))
    for program, needed, capability in _TOKEN_PRINTERS:
        if call.program == program and all(word in words for word in needed):
            shown = f"{program} {' '.join(needed)}"
            scan.report(
                "bash.cred.read_credentials",
                call,
                target=shown,
                scope=targets.CREDENTIAL,
                capability=capability,
                detail="prints a live credential",
            )
            return Stream(frozenset({Taint(CREDENTIAL, shown, capability)}))
    secret = any("secret" in word or "token" in word for word in words)
    if call.program == "aws" and "configure" in words and "get" in words and secret:
        scan.report(
            "bash.cred.read_credentials",
            call,
            target="aws configure get",
            scope=targets.CREDENTIAL,
            capability="cred.read.cloud",
            detail="prints a stored AWS secret",
        )
        return Stream(frozenset({Taint(CREDENTIAL, "aws configure get", "cred.read.cloud")}))
    return None


def token_printer(scan: Scan, call: Call) -> Stream:
    return printed_credential(scan, call) or NOTHING


def cloud(scan: Scan, call: Call) -> Stream:
    """aws, gcloud, az, doctl, …: a delete, terminate or destroy verb destroys infrastructure or data."""
    printed = printed_credential(scan, call)
    if printed is not None:
        return printed
    words = [v.text for v in call.args if not v.text.startswith("-")]
    flags = {v.text for v in call.args if v.text.startswith("-")}
    if call.program == "aws" and words[:1] == ["s3"]:
        return _aws_s3(scan, call, words[1:], flags)
    verb = next(
        (
            w
            for w in words[:5]
            if w.startswith(("delete", "terminate", "destroy", "remove", "purge", "drop"))
            or w in ("rm", "rb")
        ),
        None,
    )
    if verb is None:
        return NOTHING
    service = words[0] if words else call.program
    rule = "bash.data.destroy" if service in _DATA_SERVICES else "bash.infra.destroy"
    severity = C if service in ("projects", "group", "organizations") or "cluster" in verb else H
    scan.report(
        rule,
        call,
        target=" ".join(words[:4]),
        severity=severity,
        detail=f"{call.program} {' '.join(words[:4])}",
    )
    return NOTHING


def _aws_s3(scan: Scan, call: Call, words: list[str], flags: set[str]) -> Stream:
    verb = words[0] if words else ""
    if verb == "rm" and "--recursive" in flags:
        scan.report(
            "bash.data.destroy",
            call,
            target=" ".join(words[1:2]),
            detail="deletes every object under the prefix",
        )
    elif verb == "rb":
        scan.report(
            "bash.data.destroy",
            call,
            target=" ".join(words[1:2]),
            severity=C if "--force" in flags else M,
            detail="removes the bucket" + (" and everything in it" if "--force" in flags else ""),
        )
    elif verb == "sync" and "--delete" in flags:
        scan.report(
            "bash.data.destroy",
            call,
            target=" ".join(words[1:3]),
            severity=M,
            confidence=Confidence.LOW,
            detail="deletes destination objects missing from the source",
        )
    elif verb in ("cp", "mv", "sync") and len(words) >= 3 and words[-1].startswith("s3://"):
        sources = [v for v in call.args if v.text in words[1:-1]]
        destination = next(v for v in call.args if v.text == words[-1])
        return remote_copy(scan, replace(call, args=[*sources, destination]))
    return NOTHING


def gsutil(scan: Scan, call: Call) -> Stream:
    verb, rest = _subcommand(call, frozenset({"-o", "-h", "-u"}))
    flags = {v.text for v in rest if v.text.startswith("-")}
    if (verb == "rm" and flags & {"-r", "-R", "-a", "-rf", "-fr"}) or verb == "rb":
        scan.report(
            "bash.data.destroy",
            call,
            target=" ".join(v.text for v in rest if not v.text.startswith("-"))[:80],
            detail=f"gsutil {verb} deletes buckets or every object under a prefix",
        )
    return NOTHING


# ---------------------------------------------------------------------------------------------- databases
_SQL_DROP = re.compile(r"\bdrop\s+(database|schema|keyspace)(\s+if\s+exists)?(\s+[\w\"`.]+)?", re.I)
_SQL_TABLE = re.compile(r"\b(drop\s+table(\s+if\s+exists)?|truncate(\s+table)?)\s+[\w\"`.]+", re.I)
_SQL_DELETE_ALL = re.compile(r"\bdelete\s+from\s+[\w\"`.]+\s*(;|$)", re.I)
_MONGO = re.compile(r"dropDatabase\(|\.drop\(\)|deleteMany\(\s*\{\s*\}\s*\)", re.I)


def database(scan: Scan, call: Call) -> Stream:
    program = call.program
    texts: list[str] = []
    valued = frozenset(
        {
            "-c",
            "--command",
            "-e",
            "--execute",
            "-q",
            "--query",
            "--eval",
            "-h",
            "-p",
            "-U",
            "-u",
            "-d",
            "-a",
            "-n",
            "--host",
            "--port",
            "--user",
            "--dbname",
            "-f",
            "--file",
            "-P",
        }
    )
    parsed = parse_options(call.args, valued)
    texts += [v.text for v in parsed.all("-c", "--command", "-e", "--execute", "-q", "--query", "--eval")]
    if program == "sqlite3" and parsed.operands:
        opened = read_file(scan, call, parsed.operands[0])  # a browser's cookie or login database
        if any(taint.kind == CREDENTIAL for taint in opened.taints):
            return opened
    if program == "sqlite3" and len(parsed.operands) > 1:
        texts += [v.text for v in parsed.operands[1:]]
    if program == "redis-cli":
        texts.append(" ".join(v.text for v in parsed.operands))
    if call.stdin.content:
        texts.append(call.stdin.content)
    statement = "\n".join(texts)[:20000]
    if not statement:
        return NOTHING
    if program == "redis-cli":
        if re.search(r"\bflush(all|db)\b", statement, re.I):
            scan.report(
                "bash.data.destroy", call, target="redis", detail="FLUSHALL/FLUSHDB deletes every key"
            )
        return NOTHING
    match = _SQL_DROP.search(statement) or _MONGO.search(statement)
    if match:
        scan.report("bash.data.destroy", call, target=match.group(0), detail=f"run through {program}")
        return NOTHING
    match = _SQL_TABLE.search(statement)
    if match:
        scan.report(
            "bash.data.destroy",
            call,
            target=match.group(0),
            severity=H,
            detail=f"run through {program}",
        )
        return NOTHING
    match = _SQL_DELETE_ALL.search(statement)
    if match:
        scan.report(
            "bash.data.destroy",
            call,
            target=match.group(0).strip(),
            severity=M,
            detail="DELETE without WHERE empties the table",
        )
    return NOTHING


def dropdb(scan: Scan, call: Call) -> Stream:
    names = [v.shown for v in call.args if not v.text.startswith("-")]
    if call.program == "mysqladmin" and not any(v.text == "drop" for v in call.args):
        return NOTHING
    scan.report(
        "bash.data.destroy",
        call,
        target=names[-1] if names else "a database",
        detail=f"{call.program} deletes the database",
    )
    return NOTHING


def docker(scan: Scan, call: Call) -> Stream:
    words = [v.text for v in call.args]
    if words[:2] == ["system", "prune"] and ("--volumes" in words):
        scan.report(
            "bash.data.destroy",
            call,
            target="docker volumes",
            severity=M,
            detail="docker system prune --volumes deletes unused volumes and their data",
        )
    elif words[:1] == ["volume"] and words[1:2] and words[1] in ("rm", "prune", "remove"):
        scan.report(
            "bash.data.destroy",
            call,
            target="docker volumes",
            severity=M,
            detail=f"docker volume {words[1]} deletes volume data",
        )
    elif words[:1] in (["run"], ["create"]) or words[:2] == ["container", "run"]:
        host_root = next((w for w in words if _HOST_ROOT_MOUNT.search(w)), None)
        if host_root is not None:
            scan.report(
                "bash.proc.privilege",
                call,
                target="the host's /",
                scope=targets.ROOT,
                severity=H,
                detail=f"mounts the host's whole file system into a container ({host_root}), where root is root on the host",
            )
    return NOTHING


_HOST_ROOT_MOUNT = re2.compile(r"^/:|^--volume=/:|(?:^|,)(?:source|src)=/(?:,|$)")


# ---------------------------------------------------------------------------------------------- git
_PROTECTED = re.compile(
    r"^(main|master|trunk|develop|development|prod|production|stable|release([/._-].*)?)$"
)


def git(scan: Scan, call: Call) -> Stream:
    verb, rest = _subcommand(call, frozenset({"-C", "-c", "--git-dir", "--work-tree", "--namespace"}))
    texts = [v.text for v in rest]
    if verb == "push":
        _push(scan, call, texts)
    elif verb == "clean":
        flags = "".join(t.lstrip("-") for t in texts if t.startswith("-") and not t.startswith("--"))
        if ("f" in flags or "--force" in texts) and "n" not in flags and "--dry-run" not in texts:
            scan.report(
                "bash.fs.git_discard",
                call,
                target=".",
                scope=targets.PROJECT,
                detail="git clean deletes untracked files" + (", ignored ones too" if "x" in flags else ""),
            )
    elif verb == "reset" and "--hard" in texts:
        scan.report(
            "bash.fs.git_discard",
            call,
            target=".",
            scope=targets.PROJECT,
            detail="git reset --hard discards uncommitted changes",
        )
    return NOTHING


def _push(scan: Scan, call: Call, texts: list[str]) -> None:
    flags = [t for t in texts if t.startswith("-")]
    operands = [t for t in texts if not t.startswith("-")]
    refspecs = operands[1:]
    lease = any(f.startswith("--force-with-lease") or f.startswith("--force-if-includes") for f in flags)
    force = (
        "--force" in flags
        or any(f.startswith("-") and not f.startswith("--") and "f" in f for f in flags)
        or "--mirror" in flags
    )
    deleting = "--delete" in flags or "-d" in flags
    branches: list[str] = []
    for spec in refspecs:
        plus = spec.startswith("+")
        destination = spec.lstrip("+").split(":")[-1].removeprefix("refs/heads/")
        if spec.startswith(":"):
            deleting = True
        branches.append(destination)
        force = force or plus
    if not (force or lease or deleting):
        return
    protected = [b for b in branches if _PROTECTED.match(b)]
    if protected:
        what = "deletes" if deleting and not force else "rewrites the history of"
        scan.report(
            "bash.vcs.force_push",
            call,
            target=protected[0],
            severity=M if lease and not force else H,
            detail=f"{what} {protected[0]}, a shared branch",
        )
    elif not branches and (force or "--mirror" in flags):
        scan.report(
            "bash.vcs.force_push",
            call,
            target="the current branch",
            severity=M,
            confidence=Confidence.LOW,
            detail="force-pushes the checked-out branch, which may be a shared one",
        )


SystemHandler = Callable[[Scan, Call], Stream]

HANDLERS: dict[str, SystemHandler] = {
    "crontab": crontab,
    "at": at,
    "batch": at,
    "systemctl": systemctl,
    "service": service,
    "update-rc.d": service,
    "chkconfig": service,
    "launchctl": launchctl,
    "setenforce": setenforce,
    "ufw": ufw,
    "iptables": iptables,
    "ip6tables": iptables,
    "iptables-legacy": iptables,
    "nft": iptables,
    "auditctl": auditctl,
    "aa-teardown": apparmor,
    "aa-disable": apparmor,
    "aa-complain": apparmor,
    "apparmor_parser": apparmor,
    "spctl": macos_security,
    "csrutil": macos_security,
    "history": history,
    "set": set_builtin,
    "journalctl": journalctl,
    "kill": kill,
    "pkill": pkill,
    "killall": pkill,
    "killall5": pkill,
    "skill": pkill,
    "ps": process_list,
    "pgrep": process_list,
    "pidof": process_list,
    "usermod": user_admin,
    "useradd": user_admin,
    "adduser": user_admin,
    "userdel": user_admin,
    "deluser": user_admin,
    "gpasswd": user_admin,
    "passwd": user_admin,
    "chpasswd": user_admin,
    "groupadd": user_admin,
    "setcap": setcap,
    "insmod": kernel_module,
    "modprobe": kernel_module,
    "rmmod": kernel_module,
    "sysctl": sysctl,
    "shutdown": shutdown,
    "reboot": shutdown,
    "halt": shutdown,
    "poweroff": shutdown,
    "init": shutdown,
    "telinit": shutdown,
    "kubectl": kubectl,
    "helm": helm,
    "terraform": terraform,
    "tofu": terraform,
    "pulumi": destroy_verb,
    "cdk": destroy_verb,
    "eksctl": destroy_verb,
    "serverless": destroy_verb,
    "sls": destroy_verb,
    "aws": cloud,
    "gcloud": cloud,
    "gh": token_printer,
    "security": token_printer,
    "secret-tool": token_printer,
    "kwallet-query": token_printer,
    "az": cloud,
    "doctl": cloud,
    "hcloud": cloud,
    "gsutil": gsutil,
    "psql": database,
    "mysql": database,
    "mariadb": database,
    "sqlite3": database,
    "redis-cli": database,
    "mongo": database,
    "mongosh": database,
    "clickhouse-client": database,
    "cqlsh": database,
    "dropdb": dropdb,
    "mysqladmin": dropdb,
    "docker": docker,
    "podman": docker,
    "git": git,
}
