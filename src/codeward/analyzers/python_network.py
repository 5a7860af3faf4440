"""Network calls: sockets, HTTP clients, FTP, SMTP, SFTP — where they connect and what they send.

A send is judged by the origins of the data it carries (python_values' taint): a credential file,
the whole environment or a system file going out is exfiltration; an ordinary file is an upload.
Data fetched over the network and written to a file is a download; run, it is a remote payload.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from codeward.analyzers import targets
from codeward.analyzers.python_effects import Call, Scan, read_path
from codeward.analyzers.python_values import (
    ENV,
    ENV_ALL,
    FILE,
    NETWORK,
    PRIVATE_FILE,
    SECRET,
    SENSITIVE,
    SYSTEM_FILE,
    Origin,
    Value,
    file_origin,
)
from codeward.model import Confidence, Severity

C, H, M, L, I = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO  # noqa: E741
_DATA_KEYWORDS = frozenset({"data", "json", "files", "params", "content", "body", "fields"})


def host_of(url: Value | None) -> str:
    if url is None or url.text is None:
        return "?"
    text = url.text
    if "://" not in text:
        return text.split("/")[0] or "?"
    try:
        parts = urlsplit(text)
    except ValueError:
        return text[:80]
    return parts.netloc or text[:80]


def address_of(address: Value | None) -> str:
    """`host:port` for a socket address tuple."""
    if address is None:
        return "?"
    if address.items and len(address.items) >= 2:
        host, port = address.items[0], address.items[1]
        host_text = host.text if host.text is not None else "?"
        port_text = str(port.number) if port.number is not None else (port.text or "?")
        return f"{host_text}:{port_text}"
    return address.shown(80)


# ---------------------------------------------------------------------------------------------- sockets
def socket_connect(call: Call) -> None:
    address = call.arg(0, "address")
    if address is None:
        return
    for candidate in address.candidates():
        target = address_of(candidate)
        call.fact("connect", candidate, note=target)
        if _iterated(candidate) and call.site.loops:
            call.fact("scan", candidate, note=target)
        call.report("python.net.connect_raw", target=target, scope=targets.REMOTE)


def _iterated(address: Value) -> bool:
    parts = address.items or ()
    for part in parts:
        iterated = part.iterated or ""
        if iterated == "range":
            return True
        if iterated.startswith("list of ") and int(iterated[8:]) >= 5:
            return True
    return False


def socket_listen(call: Call) -> None:
    address = call.arg(0, "address") if call.qualname.endswith(("bind", "create_server")) else None
    target = address_of(address) if address is not None else "?"
    call.fact("listen", address, note=target)
    if call.qualname.endswith(
        (
            "bind",
            "create_server",
            "HTTPServer",
            "TCPServer",
            "UDPServer",
            "ThreadingHTTPServer",
            "ThreadingTCPServer",
        )
    ):
        if address is None:
            address = call.arg(0, "server_address")
            target = address_of(address)
        call.report("python.net.listen", target=target, scope=targets.REMOTE)


def socket_send(call: Call) -> None:
    data = call.arg(0, "data") or call.arg(0, "file")
    destination = call.arg(1, "address") if call.qualname.endswith("sendto") else None
    target = address_of(destination) if destination is not None else _connected_to(call.scan)
    if call.qualname.endswith("sendto") and destination is not None:
        call.fact("connect", destination, note=target)
        call.report("python.net.connect_raw", target=target, scope=targets.REMOTE)
    send(call, data, target)


def _connected_to(scan: Scan) -> str:
    connects = scan.of("connect")
    return connects[0].note if connects else "a socket peer"


# ---------------------------------------------------------------------------------------------- HTTP and friends
def http_request(call: Call) -> None:
    name = call.qualname.rsplit(".", 1)[-1]
    url = call.arg(1, "url") if name in ("request", "urlopen_request") else call.arg(0, "url")
    if name == "request" and call.qualname.startswith("urllib3"):
        url = call.arg(1, "url")
    sent = [
        call.scan.resolver.resolve(keyword.value, call.scope)
        for keyword in call.node.keywords
        if keyword.arg in _DATA_KEYWORDS
    ]
    if name in ("post", "put", "patch") and len(call.node.args) > 1:
        positional = call.arg(1)
        if positional is not None:
            sent.append(positional)
    if url is not None and url.kind == "urllib.request.Request":
        sent.append(url)
        url = Value(text=url.text)
    if call.qualname == "urllib.request.urlopen":
        data = call.arg(1, "data")
        if data is not None:
            sent.append(data)
    host = host_of(url)
    call.report(
        "python.net.request",
        target=host,
        scope=targets.REMOTE,
        detail=f"{call.qualname} {url.shown(120) if url else '?'}",
    )
    call.fact("request", url, note=host)
    if url is not None and any(o.kind in (SECRET, SENSITIVE, ENV_ALL, ENV) for o in url.origins):
        sent.append(Value(origins=url.origins))
    if sent:
        send(call, Value(origins=frozenset().union(*(value.origins for value in sent))), host)


def http_connection_request(call: Call) -> None:
    receiver = call.receiver
    host = host_of(receiver) if receiver is not None else "?"
    body = call.arg(2, "body")
    path = call.arg(1, "url")
    call.report("python.net.request", target=host, scope=targets.REMOTE)
    call.fact("request", path, note=host)
    values = [v for v in (body, path) if v is not None]
    if values:
        send(call, Value(origins=frozenset().union(*(v.origins for v in values))), host)


def download_to(call: Call) -> None:
    url = call.arg(0, "url")
    destination = call.arg(1, "filename") or call.arg(1, "out")
    host = host_of(url)
    call.fact("request", url, note=host)
    path = destination.text if destination is not None and destination.text is not None else None
    _downloaded(call, url.shown(160) if url else "?", path)
    if destination is not None and destination.text is not None:
        from codeward.analyzers.python_effects import write_path

        write_path(
            call,
            destination,
            Value(origins=frozenset({Origin(NETWORK, url.shown() if url else "?", call.line)})),
        )


def _downloaded(call: Call, url: str, path: str | None) -> None:
    call.fact("download", Value(text=path) if path else None, note=url)
    detail = f"saves {url} to {path}" if path else f"downloads {url}"
    call.report("python.net.download", target=url, scope=targets.REMOTE, detail=detail)


def ftp_store(call: Call) -> None:
    handle = call.arg(1, "fp")
    receiver = call.receiver
    send(call, handle, host_of(receiver) if receiver is not None else "an FTP server")


def smtp_send(call: Call) -> None:
    message = call.arg(2, "msg") if call.qualname.endswith("sendmail") else call.arg(0, "msg")
    receiver = call.receiver
    send(call, message, host_of(receiver) if receiver is not None and receiver.text else "a mail server")


def sftp_put(call: Call) -> None:
    local = call.arg(0, "localpath")
    if local is None or local.text is None:
        return
    read_path(call, local, how="uploads")
    connects = call.scan.of("connect")
    host = connects[-1].note if connects else "an SFTP server"
    send(call, Value(origins=frozenset({file_origin(local.text, call.line)})), host)


def telnet_write(call: Call) -> None:
    receiver = call.receiver
    send(call, call.arg(0, "buffer"), host_of(receiver) if receiver is not None else "a telnet server")


def cloud_upload(call: Call) -> None:
    local = call.arg(0, "Filename")
    if local is None or local.text is None:
        return
    send(call, Value(origins=frozenset({file_origin(local.text, call.line)})), "cloud storage")


def ssh_connect(call: Call) -> None:
    host = call.arg(0, "hostname")
    target = host.text if host is not None and host.text else "?"
    call.fact("connect", host, note=target)
    call.report(
        "python.net.request", target=target, scope=targets.REMOTE, detail=f"opens an SSH session to {target}"
    )


# ---------------------------------------------------------------------------------------------- sends
def send(call: Call, data: Value | None, destination: str) -> None:
    """Judge a network send by where its data came from."""
    call.fact("send", data, note=destination)
    if data is None:
        return
    origins = sorted(
        (o for o in data.origins if o.kind in _SEND_VERDICTS), key=lambda o: (_SEND_RANK[o.kind], o.line)
    )
    if not origins:
        return
    origin = origins[0]
    rule, severity, confidence = _SEND_VERDICTS[origin.kind]
    source = "the whole environment" if origin.kind == ENV_ALL else origin.detail
    if origin.kind == FILE:
        severity = L if targets.scope(origin.detail) in (targets.PROJECT, targets.TEMP) else M
    what = {
        SYSTEM_FILE: "the system file ",
        PRIVATE_FILE: "the private file ",
        ENV: "the environment variable ",
        FILE: "the file ",
    }.get(origin.kind, "")
    call.report(
        rule,
        lines=sorted({call.line, origin.line} - {0}),
        target=destination,
        scope=targets.REMOTE,
        severity=severity,
        confidence=confidence,
        detail=f"sends {what}{source} (read at line {origin.line or call.line}) to {destination}",
    )


_SEND_VERDICTS = {
    SECRET: ("python.net.exfiltrate", C, Confidence.HIGH),
    SENSITIVE: ("python.net.exfiltrate", C, Confidence.HIGH),
    ENV_ALL: ("python.net.exfiltrate", C, Confidence.HIGH),
    SYSTEM_FILE: ("python.net.exfiltrate", H, Confidence.MEDIUM),
    PRIVATE_FILE: ("python.net.exfiltrate", H, Confidence.MEDIUM),
    ENV: ("python.net.upload", M, Confidence.MEDIUM),
    FILE: ("python.net.upload", M, Confidence.HIGH),
}
"""What a send is, by where its data came from (the most sensitive origin wins)."""
_SEND_RANK = {SECRET: 0, SENSITIVE: 1, ENV_ALL: 2, SYSTEM_FILE: 3, PRIVATE_FILE: 4, ENV: 5, FILE: 6}


def network_writes(scan: Scan) -> None:
    """Data fetched over the network and written to a file is a download of that file."""
    for fact in scan.of("write_data"):
        data = fact.data
        if data is None:
            continue
        fetched = [o for o in data.origins if o.kind == NETWORK]
        if not fetched or fact.value is None or fact.value.text is None:
            continue
        call = Call(scan, fact.site, "write", Value())
        _downloaded(call, fetched[0].detail, fact.value.text)
