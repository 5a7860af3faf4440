"""The fast path of `codeward hook CLIENT`: hand the payload to the warm worker, or to a codeward
service with `--server URL`, and print its answer.

A hook runs on every tool call, so this module imports only `sys`, `os`, `time` and the C socket
module (no `socket`, `json`, `re`, `typing` or `urllib`, which cost a hook process several
milliseconds): the worker or the service parses the payload, judges it and renders the client's
answer with the same code as the in-process path. When there is no worker, or the options ask for
another path (`--no-worker`, `--help`), or the worker does not answer, `run.main` takes over.

With `--server URL` the payload goes to the service's `POST /v1/hooks/CLIENT`, with the hook's options
(`intent`, `env`, `confirm`, `review`, `wait_review`) and its deadline less a margin, so that the
service's own answer (a pending review after `wait_review`, or its failure answer) arrives before the
relay gives up. A service that is down, slower than the deadline, or answers anything but a codeward
hook answer is a failure this relay answers itself: a deny in the client's dialect (the service's
policy, and so its `fail:` rule, cannot be read from here). `relay.sh` is the same relay in bash,
which `codeward install CLIENT --server http://…` writes because it starts in a millisecond or two.

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
import time

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
_VALUE_OPTIONS = {
    "--intent",
    "--env",
    "--deadline",
    "--confirm",
    "--review",
    "--policy",
    "--server",
    "--wait-review",
}
_SERVICE_OPTIONS = ("intent", "env", "confirm", "review", "wait-review")
SERVICE_MARGIN_SECONDS = 0.5
"""At most this much of the hook's deadline is kept back from the service for the answer's way back
(a fifth of it when the deadline is short)."""
MAX_ANSWER_BYTES = 16 * 1024 * 1024
MAX_INPUT_BYTES = 64 * 1024 * 1024
"""A hook payload larger than this is refused, not read into memory (the service takes 2 MiB)."""
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def main(argv: Sequence[str]) -> int:
    options = _options(list(argv))
    if options is not None:
        try:
            raw = read_input(time.monotonic() + float(options["deadline"]))  # type: ignore[arg-type]
        except Unread as problem:
            return _emit(*refusal(str(options["client"]), str(problem)))
        if options.get("server"):
            return _emit(*answer_from_service(options, raw))
        answer = _ask_worker(options, raw)
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
    except (OSError, Unanswered):
        return None
    head, newline, rest = reply.partition(b"\n")
    parts = head.split(b"\t")
    if not newline or len(parts) != 2 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    size = int(parts[1])
    return int(parts[0]), rest[:size], rest[size:]


class Unanswered(Exception):
    """The service gave no codeward hook answer; the message says why, for the deny and the log."""


def answer_from_service(options: dict[str, object], raw: bytes) -> tuple[int, bytes, bytes]:
    """The service's answer (exit code, stdout, stderr), or this relay's deny when there is none."""
    started = time.monotonic()
    server = str(options["server"])
    try:
        return _ask_service(options, raw, started + float(str(options["deadline"])))
    except Unanswered as failure:
        return service_failure(str(options["client"]), f"{failure}")
    except TimeoutError:
        return service_failure(
            str(options["client"]), f"the service at {server} gave no answer within the hook's deadline"
        )
    except (OSError, UnicodeError, IndexError):
        return service_failure(str(options["client"]), f"the service at {server} is unreachable")


def service_failure(client: str, problem: str) -> tuple[int, bytes, bytes]:
    return refusal(client, f"no decision from the codeward service: {problem}")


def refusal(client: str, problem: str) -> tuple[int, bytes, bytes]:
    """A deny in `client`'s dialect (exit 2 with the reason for a client nobody knows)."""
    from codeward.adapters.hooks import CLIENTS, dialect
    from codeward.adapters.hooks.protocol import failure_answer

    if client not in CLIENTS:
        return 2, b"", f"codeward hook: unknown client {client!r}; {problem}; blocking\n".encode()
    answer = failure_answer(dialect(client), problem, None, (None, None))
    return answer.exit_code, answer.stdout.encode(), answer.stderr.encode()


def _service_query(options: dict[str, object], due: float) -> str:
    """The hook's options, and its deadline less the margin the answer needs to come back."""
    remaining = due - time.monotonic()
    margin = min(SERVICE_MARGIN_SECONDS, remaining / 5)
    if remaining - margin <= 0:
        raise Unanswered("the hook's deadline left the service no time")
    fields = [f"deadline={remaining - margin:.3f}"]
    for name in _SERVICE_OPTIONS:
        value = options.get(name)
        if value not in (None, ""):
            fields.append(f"{name.replace('-', '_')}={_quote(str(value))}")
    return "&".join(fields)


def _ask_service(options: dict[str, object], raw: bytes, due: float) -> tuple[int, bytes, bytes]:
    """POST the payload to `{server}/v1/hooks/{client}`; raises Unanswered, OSError or TimeoutError."""
    server = str(options["server"])
    where = _http_url(server)
    if where is None:
        if server.startswith("https://"):
            return _ask_service_tls(options, raw, due)
        raise Unanswered(
            f"--server must be an http(s)://HOST[:PORT][/PATH] URL without credentials, not {server!r}"
        )
    host, port, base = where
    target = f"{base}/v1/hooks/{_quote(str(options['client']))}?{_service_query(options, due)}"
    head = [f"POST {target} HTTP/1.1", f"Host: {host}:{port}", "Content-Type: application/json"]
    head += [f"Content-Length: {len(raw)}", "Connection: close"]
    token = _token()
    if token:
        head.append(f"Authorization: Bearer {token}")
    import _socket

    found = _socket.getaddrinfo(host.encode("ascii"), port, 0, _socket.SOCK_STREAM)
    family, kind, proto, _, address = found[0]
    channel = _socket.socket(family, kind, proto)
    try:
        channel.settimeout(_left(due))
        channel.connect(address)
        channel.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + raw)
        reply = _read_all(channel, due)
    finally:
        channel.close()
    header, ended, body = reply.partition(b"\r\n\r\n")
    if not ended:
        raise Unanswered(f"the answer from {server} is not a complete HTTP response")
    lines = header.decode("latin-1").split("\r\n")
    status = lines[0].split(" ")
    if not lines[0].startswith("HTTP/1.") or len(status) < 2:
        raise Unanswered(f"the answer from {server} is not HTTP")
    fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    if "chunked" in fields.get("transfer-encoding", ""):
        raise Unanswered(f"the answer from {server} is chunked, which a hook answer never is")
    length = fields.get("content-length", "")
    if not length.isdigit() or int(length) != len(body):
        raise Unanswered(f"the answer from {server} was cut short or has no Content-Length")
    return _hook_answer(server, status[1], fields, body)


def _ask_service_tls(options: dict[str, object], raw: bytes, due: float) -> tuple[int, bytes, bytes]:
    """The same call over https, with the standard library's client (its import only costs here)."""
    import http.client
    import urllib.parse

    server = str(options["server"])
    parsed = urllib.parse.urlsplit(server)
    if not parsed.hostname or parsed.username or parsed.password:
        raise Unanswered(
            f"--server must be an https://HOST[:PORT][/PATH] URL without credentials, not {server!r}"
        )
    connection = http.client.HTTPSConnection(parsed.hostname, parsed.port, timeout=_left(due))
    target = (
        f"{parsed.path.rstrip('/')}/v1/hooks/{_quote(str(options['client']))}?{_service_query(options, due)}"
    )
    headers = {"Content-Type": "application/json"}
    token = _token()
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        connection.request("POST", target, body=raw, headers=headers)
        response = connection.getresponse()
        body = response.read(MAX_ANSWER_BYTES)
    except http.client.HTTPException as error:
        raise Unanswered(f"the answer from {server} is not HTTP: {type(error).__name__}") from None
    finally:
        connection.close()
    fields = {name.lower(): value.strip() for name, value in response.getheaders()}
    return _hook_answer(server, str(response.status), fields, body)


def _hook_answer(server: str, status: str, fields: dict[str, str], body: bytes) -> tuple[int, bytes, bytes]:
    """The route's answer as the hook prints it, once it is certain to be one: HTTP 200, an exit code
    a client reads as answer (0) or block (2), and a JSON object unless the answer is silence."""
    problem = fields.get("x-codeward-problem", "")
    if status != "200":
        raise Unanswered(f"the service answered HTTP {status}" + (f": {problem}" if problem else ""))
    code = fields.get("x-codeward-exit-code", "")
    if code not in ("0", "2"):
        raise Unanswered(f"the answer from {server} is not a codeward hook answer (no X-Codeward-Exit-Code)")
    silent = fields.get("x-codeward-silent") == "1"
    if not silent and not (body.startswith(b"{") and body.endswith(b"}")):
        raise Unanswered(f"the answer from {server} is not a JSON object")
    if code == "2" and not problem:
        problem = (
            "codeward: the service says this call is blocked"  # Codex blocks on exit 2 only with a reason
        )
    stdout = b"" if silent else body + b"\n"
    return int(code), stdout, (problem + "\n").encode() if problem else b""


def _left(due: float) -> float:
    left = due - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


def _token() -> str:
    token = os.environ.get("CODEWARD_TOKEN", "").strip()
    if any(ord(c) < 32 for c in token):
        raise Unanswered("CODEWARD_TOKEN holds control characters")
    return token


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


def _read_all(channel: socket, due: float | None = None) -> bytes:
    """Everything up to the end of the stream; with `due`, by then (TimeoutError otherwise)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        if due is not None:
            channel.settimeout(_left(due))
        chunk = channel.recv(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise Unanswered("the answer is larger than any hook answer")


def _emit(exit_code: int, stdout: bytes, stderr: bytes) -> int:
    try:
        if stdout:
            sys.stdout.buffer.write(stdout)
            sys.stdout.flush()
    except (OSError, ValueError, AttributeError) as error:  # AttributeError: no stdout at all
        _write_stderr(stderr + f"codeward: the answer could not be written ({error}); blocking\n".encode())
        return 2
    if stderr:
        _write_stderr(stderr)
    return exit_code


def _write_stderr(data: bytes) -> None:
    try:
        sys.stderr.buffer.write(data)
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass


class Unread(Exception):
    """The hook's input did not arrive whole: it did not end by the deadline, or it is too large."""


def read_input(due: float) -> bytes:
    """The hook's payload on stdin, whole by `due` (a time.monotonic() value) and at most
    MAX_INPUT_BYTES; raises Unread otherwise. A caller whose input never ends must get a deny,
    not a hook that hangs until the client gives up on it, which most clients treat as an allow."""
    import select

    chunks: list[bytes] = []
    size = 0
    try:
        while True:
            left = due - time.monotonic()
            if left <= 0 or not select.select([0], [], [], left)[0]:
                raise Unread("the hook's input did not end within the hook's deadline")
            chunk = os.read(0, 65536)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > MAX_INPUT_BYTES:
                raise Unread(f"the hook's input is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB")
            chunks.append(chunk)
    except (OSError, ValueError):  # no stdin at all: an empty payload, which the client's parser refuses
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
