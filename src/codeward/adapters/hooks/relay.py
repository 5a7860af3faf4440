"""The fast path of `codeward hook CLIENT`: hand the payload to the warm worker, print its answer.

A hook runs on every tool call, so this module imports only `sys`, `os` and the C socket module (no
`socket`, `json`, `re`, `typing` or `urllib`, which cost a hook process several milliseconds): the
worker parses the payload, judges it and renders the client's answer with the same code as the
in-process path. With `--server http://…` the payload goes to the service's `/v1/hooks/CLIENT`
instead. When there is no worker, or the options ask for another path (`--no-worker`, `--help`, an
https service), or nobody answers, `run.main` takes over.

For the lowest start-up cost the file also runs as a script without `site`:
`python -I -S …/codeward/adapters/hooks/relay.py CLIENT [--server URL]` (see docs/integrations.md).

Worker protocol (one call per connection): a header line `codeward-hook/3 CLIENT DEADLINE INTENT ENV
CONFIRM REVIEW TOKEN` (tab-separated, `-` for none; the token is `CODEWARD_TOKEN`), then the client's
payload up to the end of the stream; the answer is a line `EXIT_CODE STDOUT_BYTES`, then stdout's
bytes, then stderr's.
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":  # run as a script (`python -I -S relay.py …`): find the package beside it
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    )

TYPE_CHECKING = False
if TYPE_CHECKING:
    from _socket import socket
    from collections.abc import Sequence

DEFAULT_DEADLINE = 10.0
MAX_SOCKET_PATH = 100
PROTOCOL = "codeward-hook/3"
IDENTITY_VARIABLES = ("CODEWARD_OIDC_ISSUER", "CODEWARD_OIDC_AUDIENCE", "CODEWARD_JWKS", "CODEWARD_API_KEYS")
_VALUE_OPTIONS = {"--intent", "--env", "--deadline", "--confirm", "--review", "--policy", "--server"}
_SERVICE_OPTIONS = ("intent", "env", "confirm", "review", "deadline")
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def main(argv: Sequence[str]) -> int:
    options = _options(list(argv))
    if options is not None:
        raw = _read_stdin()
        answer = _ask_service(options, raw) if options.get("server") else _ask_worker(options, raw)
        if answer is not None:
            return _emit(*answer)
        return _full_path(argv, raw)
    return _full_path(argv, None)


def _full_path(argv: Sequence[str], raw: bytes | None) -> int:
    if "site" not in sys.modules:  # started with -S: the engine's dependencies are in site-packages
        import site

        site.main()
    from codeward.adapters.hooks.run import main as run

    return run(argv, stdin=raw)


def _options(argv: list[str]) -> dict[str, object] | None:
    """The options the worker needs, or None when this call is not for the fast path."""
    if not argv or argv[0].startswith("-"):
        return None
    policies: list[str] = []
    options: dict[str, object] = {"client": argv[0], "policies": policies}
    rest = argv[1:]
    while rest:
        flag = rest.pop(0)
        name, _, inline = flag.partition("=")
        if name not in _VALUE_OPTIONS:
            return None
        value = inline if inline else (rest.pop(0) if rest else None)
        if value is None:
            return None
        if name == "--policy":
            policies.append(value)
        else:
            options[name[2:]] = value
    try:
        deadline = float(
            str(options.get("deadline") or os.environ.get("CODEWARD_HOOK_DEADLINE") or DEFAULT_DEADLINE)
        )
    except ValueError:
        return None
    options["deadline"] = deadline
    if not options.get("intent") and os.environ.get("CODEWARD_INTENT"):
        options["intent"] = os.environ["CODEWARD_INTENT"]
    if os.environ.get("CODEWARD_HOOK_WORKER") == "off":
        return None
    return options


def _ask_worker(options: dict[str, object], raw: bytes) -> tuple[int, bytes, bytes] | None:
    path = worker_socket(options["policies"])  # type: ignore[arg-type]
    if len(path) > MAX_SOCKET_PATH or not _private(os.path.dirname(path)):
        return None
    deadline = float(options["deadline"])  # type: ignore[arg-type]
    fields = [PROTOCOL, str(options["client"]), repr(max(0.05, deadline - 0.05))]
    fields += [str(options.get(name) or "-") for name in ("intent", "env", "confirm", "review")]
    fields.append(os.environ.get("CODEWARD_TOKEN", "").strip() or "-")
    if any(not field or "\t" in field or "\n" in field for field in fields):
        return None
    import _socket

    try:
        channel = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        try:
            channel.settimeout(deadline + 1.0)
            channel.connect(path)
            channel.sendall("\t".join(fields).encode() + b"\n" + raw)
            channel.shutdown(_socket.SHUT_WR)
            reply = _read_all(channel)
        finally:
            channel.close()
    except OSError:
        return None
    head, newline, rest = reply.partition(b"\n")
    parts = head.split(b"\t")
    if not newline or len(parts) != 2 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    size = int(parts[1])
    return int(parts[0]), rest[:size], rest[size:]


def _ask_service(options: dict[str, object], raw: bytes) -> tuple[int, bytes, bytes] | None:
    """POST the payload to `{server}/v1/hooks/{client}` over plain HTTP; None on anything unexpected."""
    where = _http_url(str(options["server"]))
    if where is None:
        return None
    host, port, base = where
    query = "&".join(
        f"{name}={_quote(str(value))}"
        for name, value in ((n, options.get(n)) for n in _SERVICE_OPTIONS)
        if value not in (None, "")
    )
    head = [f"POST {base}/v1/hooks/{_quote(str(options['client']))}?{query} HTTP/1.1"]
    head += [f"Host: {host}:{port}", "Content-Type: application/json", f"Content-Length: {len(raw)}"]
    head.append("Connection: close")
    token = os.environ.get("CODEWARD_TOKEN")
    if token:
        head.append(f"Authorization: Bearer {token}")
    import _socket

    try:
        found = _socket.getaddrinfo(host.encode("ascii"), port, 0, _socket.SOCK_STREAM)
        family, kind, proto, _, address = found[0]
        channel = _socket.socket(family, kind, proto)
        try:
            channel.settimeout(float(str(options["deadline"])) + 1.0)
            channel.connect(address)
            channel.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + raw)
            reply = _read_all(channel)
        finally:
            channel.close()
    except (OSError, UnicodeError, IndexError):
        return None
    header, _, body = reply.partition(b"\r\n\r\n")
    lines = header.decode("latin-1").split("\r\n")
    if not lines[0].startswith("HTTP/1.") or lines[0].split(" ")[1:2] != ["200"]:
        return None
    fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    code = fields.get("x-codeward-exit-code", "")
    if not code.isdigit() or "chunked" in fields.get("transfer-encoding", ""):
        return None
    problem = fields.get("x-codeward-problem", "")
    stdout = b"" if fields.get("x-codeward-silent") == "1" else body + b"\n"
    return int(code), stdout, (problem + "\n").encode() if problem else b""


def _http_url(url: str) -> tuple[str, int, str] | None:
    """(host, port, path) of a plain `http://` URL; None for anything else (https goes the full path)."""
    if not url.startswith("http://"):
        return None
    authority, slash, path = url[len("http://") :].partition("/")
    if "@" in authority:
        return None
    if authority.startswith("["):
        host, bracket, port = authority[1:].partition("]")
        if not bracket:
            return None
        port = port[1:] if port.startswith(":") else ""
    else:
        host, _, port = authority.partition(":")
    if not host or (port and not port.isdigit()) or not host.isascii():
        return None
    return host, int(port or 80), (slash + path).rstrip("/")


def _quote(text: str) -> str:
    return "".join(chr(b) if b in _UNRESERVED else f"%{b:02X}" for b in text.encode())


def _private(directory: str) -> bool:
    """Only a worker in a directory of this user's, closed to others, is trusted with an answer."""
    try:
        info = os.stat(directory)
    except OSError:
        return False
    return info.st_uid == os.getuid() and (info.st_mode & 0o077) == 0


def _read_all(channel: socket) -> bytes:
    chunks: list[bytes] = []
    while True:
        chunk = channel.recv(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _emit(exit_code: int, stdout: bytes, stderr: bytes) -> int:
    try:
        if stdout:
            sys.stdout.buffer.write(stdout)
            sys.stdout.flush()
    except (OSError, ValueError) as error:
        _write_stderr(stderr + f"codeward: the answer could not be written ({error}); blocking\n".encode())
        return 2
    if stderr:
        _write_stderr(stderr)
    return exit_code


def _write_stderr(data: bytes) -> None:
    try:
        sys.stderr.buffer.write(data)
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _read_stdin() -> bytes:
    try:
        return sys.stdin.buffer.read()
    except (OSError, ValueError):
        return b""


def codeward_home() -> str:
    """`codeward.home.home()`, restated here: the relay imports nothing from codeward."""
    return os.path.expanduser(
        os.environ.get("CODEWARD_HOME") or os.path.join("~", ".local", "share", "codeward")
    )


def worker_directory() -> str:
    return os.path.join(codeward_home(), "run")


def absolute_policy(reference: str) -> str:
    if reference.startswith("pack:"):
        return reference
    return os.path.realpath(os.path.expanduser(reference))


def worker_socket(policies: Sequence[str]) -> str:
    """One worker per interpreter, codeward version, store, identity provider and policy stack."""
    try:
        from _sha256 import sha256  # type: ignore[import-not-found]
    except ImportError:  # Python 3.12 merged it into _sha2
        from hashlib import sha256

    import codeward

    key = "\0".join(
        [
            codeward.__version__,
            os.path.realpath(sys.executable),
            os.environ.get("CODEWARD_DB", ""),
            *(os.environ.get(name, "") for name in IDENTITY_VARIABLES),
            *(absolute_policy(p) for p in policies),
        ]
    )
    digest = sha256(key.encode()).hexdigest()[:16]
    return os.path.join(worker_directory(), f"hook-{digest}.sock")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
