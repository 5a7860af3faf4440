"""What a Python expression evaluates to, as far as a reader can tell without running it.

`Resolver.resolve` folds constants (concatenation, `%`, `.format`, f-strings, `"".join`, `chr()`
lists, slicing, base64/hex/zlib/rot13 decoding …), follows names to their bindings (module and
function locals, parameters through their call sites, `self.x` attributes, function returns), and
names what an expression refers to (`o.system` -> `os.system`, `getattr(__import__('o'+'s'), …)`).
Values also carry where their data came from (a credential file, the environment, the network,
a socket), which is the analyzer's intra-module taint. Everything is bounded: a step budget per
module, a depth limit, and size limits on folded text; past them a value is simply unknown.
"""

from __future__ import annotations

import ast
import builtins
import codecs
import functools
import itertools
import posixpath
import re
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from codeward.analyzers import decoding, targets
from codeward.analyzers.python_scopes import Binding, ModuleIndex, Scope, dotted_name

MAX_STEPS = 40_000
MAX_DEPTH = 40
MAX_TEXT = 200_000
MAX_ITEMS = 10_000
MAX_VARIANTS = 8
MAX_CALLERS = 6

# where data comes from
SECRET = "secret"
"""A credential file; Origin.capability names which (`cred.read.ssh_key`)."""
SENSITIVE = "sensitive"
"""A sensitive system file such as /etc/passwd."""
SYSTEM_FILE = "system file"
PRIVATE_FILE = "private file"
"""Shell history or startup files, anything in /root (targets.is_private_file)."""
FILE = "file"
ENV_ALL = "environment"
"""The whole process environment."""
ENV = "environment variable"
NETWORK = "network"
SOCKET = "socket"
INPUT = "input"
ENCRYPTED = "encrypted"
DECODE_STEPS = frozenset(
    {
        "base64",
        "base32",
        "base16",
        "base85",
        "hex",
        "zlib",
        "gzip",
        "bz2",
        "lzma",
        "rot13",
        "chr",
        "reverse",
        "xor",
        "bytes",
    }
)
_SECRET_ENV = re.compile(r"(?i)key|token|secret|passw|pwd|credential|auth|session|cookie|private")
_HOME_VARIABLES = frozenset({"HOME", "USERPROFILE"})
BUILTIN_NAMES = frozenset(dir(builtins)) - {"copyright", "credits", "license", "exit", "quit", "help"}
_STAT_BITS = {
    "S_ISUID": 0o4000,
    "S_ISGID": 0o2000,
    "S_ISVTX": 0o1000,
    "S_IRWXU": 0o700,
    "S_IRUSR": 0o400,
    "S_IWUSR": 0o200,
    "S_IXUSR": 0o100,
    "S_IRWXG": 0o70,
    "S_IRGRP": 0o40,
    "S_IWGRP": 0o20,
    "S_IXGRP": 0o10,
    "S_IRWXO": 0o7,
    "S_IROTH": 0o4,
    "S_IWOTH": 0o2,
    "S_IXOTH": 0o1,
}
_SIGNALS = {"SIGKILL": 9, "SIGTERM": 15, "SIGHUP": 1, "SIGINT": 2, "SIGQUIT": 3, "SIGSTOP": 19, "SIGUSR1": 10}
_MODULE_ALIASES = {
    "Cryptodome": "Crypto",
    "cPickle": "pickle",
    "_pickle": "pickle",
    "dill": "pickle",
    "cloudpickle": "pickle",
    "subprocess32": "subprocess",
    "urllib2": "urllib.request",
    "httplib": "http.client",
    "posix": "os",
    "nt": "os",
    "__builtin__": "builtins",
    "__builtins__": "builtins",
    "importlib.__import__": "builtins.__import__",
    "pathlib.PosixPath": "pathlib.Path",
    "pathlib.WindowsPath": "pathlib.Path",
    "pathlib.PurePath": "pathlib.Path",
    "pathlib.PurePosixPath": "pathlib.Path",
    "requests.api": "requests",
    "requests.sessions.Session": "requests.Session",
    "requests.session": "requests.Session",
    "_socket": "socket",
    "urllib.urlopen": "urllib.request.urlopen",
    "urllib.urlretrieve": "urllib.request.urlretrieve",
    "urllib.request.URLopener": "urllib.request.urlopen",
    "ruamel.yaml": "yaml",
}
"""Module or name -> its canonical spelling; a dotted key also renames what is below it."""
# calls whose result is a known kind of object, and where that object's data comes from
_RESULT_KINDS = {
    "socket.socket": "socket.socket",
    "socket.create_connection": "socket.socket",
    "socket.create_server": "socket.socket",
    "socket.fromfd": "socket.socket",
    "socket.socket.dup": "socket.socket",
    "ssl.wrap_socket": "socket.socket",
    "ssl.SSLContext.wrap_socket": "socket.socket",
    "ssl.create_default_context": "ssl.SSLContext",
    "socket.socket.fileno": "socket.fd",
    "socket.socket.makefile": "socket.file",
    "builtins.open": "file",
    "io.open": "file",
    "codecs.open": "file",
    "os.fdopen": "file",
    "pathlib.Path.open": "file",
    "gzip.open": "file",
    "bz2.open": "file",
    "lzma.open": "file",
    "requests.Session": "requests.Session",
    "httpx.Client": "requests.Session",
    "httpx.AsyncClient": "requests.Session",
    "aiohttp.ClientSession": "requests.Session",
    "urllib3.PoolManager": "requests.Session",
    "urllib.request.Request": "urllib.request.Request",
    "http.client.HTTPConnection": "http.client.HTTPConnection",
    "http.client.HTTPSConnection": "http.client.HTTPConnection",
    "ftplib.FTP": "ftplib.FTP",
    "ftplib.FTP_TLS": "ftplib.FTP",
    "smtplib.SMTP": "smtplib.SMTP",
    "smtplib.SMTP_SSL": "smtplib.SMTP",
    "paramiko.SSHClient": "paramiko.SSHClient",
    "paramiko.SSHClient.open_sftp": "paramiko.SFTPClient",
    "paramiko.SFTPClient.from_transport": "paramiko.SFTPClient",
    "telnetlib.Telnet": "telnetlib.Telnet",
    "sqlite3.connect": "sqlite3.Connection",
    "subprocess.Popen": "subprocess.Popen",
    "psutil.Process": "psutil.Process",
    "cryptography.fernet.Fernet": "cipher",
    "Crypto.Cipher.AES.new": "cipher",
    "Crypto.Cipher.DES.new": "cipher",
    "Crypto.Cipher.DES3.new": "cipher",
    "Crypto.Cipher.ARC4.new": "cipher",
    "Crypto.Cipher.Blowfish.new": "cipher",
    "Crypto.Cipher.ChaCha20.new": "cipher",
    "Crypto.Cipher.Salsa20.new": "cipher",
    "Crypto.Cipher.PKCS1_OAEP.new": "cipher",
    "cryptography.hazmat.primitives.ciphers.Cipher": "cipher",
    "cryptography.fernet.MultiFernet": "cipher",
    **{
        f"cryptography.hazmat.primitives.ciphers.aead.{name}": "cipher"
        for name in ("AESGCM", "AESGCMSIV", "AESCCM", "AESOCB3", "AESSIV", "ChaCha20Poly1305")
    },
    "nacl.secret.SecretBox": "cipher",
    "nacl.public.Box": "cipher",
    "nacl.public.SealedBox": "cipher",
    "cipher.encryptor": "cipher",
    "zipfile.ZipFile": "zipfile.ZipFile",
    "tarfile.open": "zipfile.ZipFile",
    "tarfile.TarFile": "zipfile.ZipFile",
    "mss.mss": "mss.mss",
    "ctypes.CDLL": "ctypes.CDLL",
    "ctypes.cdll.LoadLibrary": "ctypes.CDLL",
    "ctypes.PyDLL": "ctypes.CDLL",
    "tempfile.TemporaryDirectory": "tempfile.TemporaryDirectory",
    "multiprocessing.Process": "multiprocessing.Process",
    "nmap.PortScanner": "nmap.PortScanner",
    "pwn.remote": "pwn.tube",
    "boto3.resource": "boto3.resource",
    "boto3.session.Session.resource": "boto3.resource",
    "boto3.resource.Bucket": "s3.Bucket",
    "pwnlib.tubes.remote.remote": "pwn.tube",
    "crontab.CronTab": "crontab.CronTab",
    "hashlib.new": "hash",
    "hashlib.md5": "hash",
    "hashlib.sha1": "hash",
    "hashlib.sha224": "hash",
    "hashlib.sha256": "hash",
    "hashlib.sha384": "hash",
    "hashlib.sha512": "hash",
    "hashlib.sha3_256": "hash",
    "hashlib.sha3_512": "hash",
    "hashlib.blake2b": "hash",
    "hashlib.blake2s": "hash",
    "email.message.EmailMessage": "email",
    "email.mime.text.MIMEText": "email",
    "email.mime.multipart.MIMEMultipart": "email",
    "email.mime.base.MIMEBase": "email",
    "email.mime.application.MIMEApplication": "email",
}
_NETWORK_RESULTS = frozenset(
    {
        "requests.get",
        "requests.post",
        "requests.put",
        "requests.patch",
        "requests.delete",
        "requests.head",
        "requests.request",
        "requests.Session.get",
        "requests.Session.post",
        "requests.Session.put",
        "requests.Session.request",
        "requests.Session.stream",
        "httpx.get",
        "httpx.post",
        "httpx.stream",
        "httpx.request",
        "urllib.request.urlopen",
        "urllib.request.urlretrieve",
        "http.client.HTTPConnection.getresponse",
        "ftplib.FTP.retrbinary",
        "ftplib.FTP.retrlines",
        "telnetlib.Telnet.read_until",
        "telnetlib.Telnet.read_all",
        "urllib3.request",
    }
)
_SOCKET_READS = frozenset(
    {"recv", "recvfrom", "recv_into", "recvmsg", "read", "readline", "readlines", "makefile", "accept"}
)
_FILE_READS = frozenset({"read", "readline", "readlines", "read_text", "read_bytes", "__iter__"})
_INPUT_CALLS = frozenset(
    {"builtins.input", "builtins.raw_input", "sys.stdin.read", "sys.stdin.readline", "getpass.getpass"}
)
_STRING_METHODS = frozenset(
    {
        "upper",
        "lower",
        "strip",
        "lstrip",
        "rstrip",
        "title",
        "capitalize",
        "swapcase",
        "casefold",
    }
)
_PRINTF = re.compile(r"%(?:\((\w+)\))?([-+ #0]*)(\d{0,3})(?:\.\d{1,3})?([sdirxXfc%])")


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a piece of data came from: the analyzer's taint label."""

    kind: str
    detail: str
    line: int
    capability: str | None = None


@dataclass(frozen=True)
class Value:
    """What an expression is known to be. Every field is optional: most values are partly unknown.

    Built by the hundred per module, so construction is the fast `_set_fields` below, not the
    dataclass `__init__` (which assigns all 19 fields through `object.__setattr__`, ~3 µs a value):
    an instance stores only the fields it was given and reads the rest from the class defaults.
    No slots, for that reason; still frozen, compared and hashed field by field."""

    text: str | None = None
    """A folded string (bytes as latin-1 text when `binary`); unknown parts as `${name}` holes."""
    binary: bool = False
    number: int | float | None = None
    items: tuple[Value, ...] | None = None
    exact: bool = False
    """True when the text, number or items are completely known."""
    ref: str | None = None
    """The module, class or function the expression names: `os.system`, `builtins.eval`, `local.f`."""
    bound: Value | None = None
    """For a method taken from an object (`s.send`), that object."""
    kind: str | None = None
    """What kind of object it is, when known: `socket.socket`, `file`, `pathlib.Path`, `cipher`."""
    path: str | None = None
    """For files: the path they were opened from."""
    mode: str | None = None
    """For files: the mode they were opened with."""
    origins: frozenset[Origin] = frozenset()
    steps: tuple[str, ...] = ()
    """How the text was recovered, in order: `base64`, `zlib`, `chr`, `concat`, …"""
    tree: str | None = None
    """For paths found by walking a directory tree (os.walk, rglob): the root of the walk."""
    many: bool = False
    """For paths that stand for every entry of a directory (listdir, glob)."""
    climbs: bool = False
    """For paths joined from a base and a part that climbs out of it (`../`)."""
    iterated: str | None = None
    """For loop variables: what they range over (`range`, `list of 12`)."""
    evasive: str | None = None
    """How a name was reached through computed strings (`getattr(os, 'sys'+'tem')`)."""
    wrapped: Value | None = None
    wrapper: str | None = None
    """For serialised or compiled values (`pickle`, `marshal`, `code`): what they wrap."""
    keys: tuple[Value | None, ...] | None = None
    """For dict literals: the keys, in the order of `items` (None for `**other`)."""
    variants: tuple[Value, ...] | None = None
    """Several possible values (a parameter called with different arguments, a loop over a short list)."""

    def candidates(self) -> tuple[Value, ...]:
        return self.variants if self.variants else (self,)

    @property
    def known_text(self) -> str | None:
        """The text when it is completely known."""
        return self.text if self.exact and self.text is not None else None

    def shown(self, limit: int = 200) -> str:
        if self.text is not None:
            text = self.text
        elif self.number is not None:
            text = str(self.number)
        elif self.ref is not None:
            text = self.ref
        else:
            text = "?"
        return text if len(text) <= limit else text[: limit - 1] + "…"


def _set_fields(self: Value, **fields: Any) -> None:
    self.__dict__.update(fields)


Value.__init__ = _set_fields  # type: ignore[assignment]


def replace(value: Value, **changes: Any) -> Value:
    """`dataclasses.replace` for Values, without re-running an `__init__` over every field."""
    copy = object.__new__(Value)
    fields = copy.__dict__
    fields.update(value.__dict__)
    fields.update(changes)
    return copy


UNKNOWN = Value()


def text_value(text: str, *, steps: tuple[str, ...] = (), binary: bool = False, exact: bool = True) -> Value:
    return Value(text=text[:MAX_TEXT], binary=binary, exact=exact and len(text) <= MAX_TEXT, steps=steps)


def hole(name: str) -> str:
    return "${" + (name or "value") + "}"


def union(values: Iterable[Value | None]) -> frozenset[Origin]:
    result: frozenset[Origin] = frozenset()
    for value in values:
        if value is not None and value.origins:
            result = result | value.origins
    return result


def canonical(qualname: str) -> str:
    """One spelling for aliases of the same module (`Cryptodome` -> `Crypto`, `posix` -> `os`)."""
    head = qualname.split(".", 1)[0]
    if head not in _ALIAS_HEADS:
        return qualname
    parts = qualname.split(".")
    for size in range(len(parts), 0, -1):
        prefix = ".".join(parts[:size])
        renamed = _MODULE_ALIASES.get(prefix)
        if renamed is not None:
            return renamed + qualname[len(prefix) :]
    return qualname


_ALIAS_HEADS = frozenset(old.split(".", 1)[0] for old in _MODULE_ALIASES)


def file_origin(path: str, line: int) -> Origin:
    """What reading `path` yields, as a taint label."""
    kind, capability = _file_class(path)
    return Origin(kind, path, line, capability)


@functools.lru_cache(maxsize=4096)
def _file_class(path: str) -> tuple[str, str | None]:
    capability = targets.credential_capability(path)
    if capability is not None:
        return SECRET, capability
    if targets.is_sensitive_system_file(path):
        return SENSITIVE, None
    if targets.scope(path) in (targets.SYSTEM, targets.ROOT):
        return SYSTEM_FILE, None
    if targets.is_private_file(path):
        return PRIVATE_FILE, None
    return FILE, None


class Resolver:
    """Folds expressions of one module to Values, within a step budget shared by the whole analysis."""

    def __init__(self, index: ModuleIndex, *, budget: int = MAX_STEPS) -> None:
        self.index = index
        self.budget = budget
        self.exhausted = False
        self._depth = 0
        self._memo: dict[int, Value] = {}
        self._active: set[object] = set()
        self._indirect: dict[str, list[tuple[ast.Call, Scope, str]]] | None = None
        self._imported: dict[tuple[int, str], Value] = {}
        """(id of the importing scope, name) -> what an imported-only name refers to (_imported_name)."""

    # ------------------------------------------------------------------ entry points
    def resolve(self, node: ast.expr | None, scope: Scope, env: dict[str, Value] | None = None) -> Value:
        if node is None:
            return UNKNOWN
        if env is None:
            cached = self._memo.get(id(node))
            if cached is not None:
                return cached
        if self.budget <= 0:
            self.exhausted = True
            return UNKNOWN
        if self._depth >= MAX_DEPTH:
            return UNKNOWN
        self.budget -= 1
        self._depth += 1
        try:
            handler = _DISPATCH.get(type(node))
            value = handler(self, node, scope, env) if handler is not None else UNKNOWN
        finally:
            self._depth -= 1
        if env is None:
            self._memo[id(node)] = value
        return value

    def argument(
        self,
        call: ast.Call,
        position: int | None,
        keyword: str | None,
        scope: Scope,
        env: dict[str, Value] | None,
    ) -> Value | None:
        """The value passed at `position` or as `keyword`; None when it is not passed."""
        expression = argument_node(call, position, keyword)
        if expression is None:
            return None
        return self.resolve(expression, scope, env)

    def callee(self, call: ast.Call, scope: Scope, env: dict[str, Value] | None = None) -> Value:
        """What a call calls: a Value whose `ref` is the qualified name and `bound` the receiver, if any."""
        func = call.func
        if isinstance(func, ast.Name | ast.Attribute):
            return self.resolve(func, scope, env)
        return self.resolve(func, scope, env)

    # ------------------------------------------------------------------ names
    def _name(self, node: ast.Name, scope: Scope, env: dict[str, Value] | None) -> Value:
        name = node.id
        if env and name in env:
            return env[name]
        if name not in self.index.bound_names():
            return self.unbound(name)
        if name not in self.index.assigned_names():
            return self._imported_name(name, scope)
        current: Scope | None = scope
        while current is not None:
            if current.kind == "class" and current is not scope:
                current = current.parent
                continue
            value = self._lookup(current, name, node, same_scope=current is scope)
            if value is not None:
                return value
            current = current.parent
        return self.unbound(name)

    def unbound(self, name: str) -> Value:
        """What a name that no scope binds refers to: a module-local function or class, a name from a
        star import, a builtin, or nothing known (a `${name}` hole)."""
        if name in self.index.functions or name in self.index.classes:
            return Value(ref=f"local.{name}")
        for module in self.index.module.star_imports:
            qualname = canonical(f"{module}.{name}")
            if _is_known_name(qualname):
                return Value(ref=qualname)
        if name in BUILTIN_NAMES:
            return Value(ref=f"builtins.{name}")
        if name == "__builtins__":
            return Value(ref="builtins")
        if name == "__file__":
            return Value(text="./__file__", exact=True)
        if name == "__name__":
            return text_value("__main__")
        return Value(text=hole(name))

    def _imported_name(self, name: str, scope: Scope) -> Value:
        """A name that no scope assigns, only imports: what the nearest import of it refers to (the walk
        `_lookup` would make, without bindings to weigh), one Value per importing scope and name."""
        current: Scope | None = scope
        while current is not None:
            if (current is scope or current.kind != "class") and name in current.imports:
                key = (id(current), name)
                value = self._imported.get(key)
                if value is None:
                    value = self._imported[key] = self._reference(current.imports[name])
                return value
            current = current.parent
        return self.unbound(name)

    def _lookup(self, scope: Scope, name: str, node: ast.expr, *, same_scope: bool) -> Value | None:
        bindings = scope.bindings.get(name)
        is_param = scope.kind == "function" and name in scope.params
        if bindings:
            own = [b for b in bindings if b.scope is scope]
            chosen = _pick(own, node, same_scope)
            if chosen is not None and not (is_param and same_scope and chosen.line >= node.lineno):
                return self._with_mutations(self._binding_value(chosen), scope, name)
            if not is_param:
                chosen = _pick(bindings, node, same_scope)
                if chosen is not None:
                    return self._binding_value(chosen)
        if name in scope.imports:
            return self._reference(scope.imports[name])
        if is_param:
            return self._with_mutations(self._parameter(scope, name, bindings or []), scope, name)
        return None

    def _with_mutations(self, value: Value, scope: Scope, name: str) -> Value:
        added = self.index.mutations.get((id(scope), name))
        if not added:
            return value
        key = ("mutations", id(scope), name)
        if key in self._active:
            return value
        self._active.add(key)
        try:
            origins = union(self.resolve(expression, scope) for expression in added[:16])
        finally:
            self._active.discard(key)
        return replace(value, origins=value.origins | origins) if origins else value

    def _binding_value(self, binding: Binding) -> Value:
        key = id(binding)
        if key in self._active:
            return UNKNOWN
        self._active.add(key)
        try:
            value = self.resolve(binding.value, binding.scope)
            if binding.element:
                value = element_of(value, binding.value)
            if binding.index is not None:
                value = item_of(value, binding.index)
            if binding.element:
                value = replace(value, iterated=value.iterated or _iteration(binding.value))
            return value
        finally:
            self._active.discard(key)

    def _parameter(self, function: Scope, name: str, bindings: list[Binding]) -> Value:
        """A parameter is what its callers pass (up to a few call sites), else its default, else unknown."""
        key = ("param", id(function), name)
        if key in self._active:
            return Value(text=hole(name))
        self._active.add(key)
        try:
            values = [value for value in self._passed(function, name) if value is not None]
        finally:
            self._active.discard(key)
        if not values:
            defaults = [b for b in bindings if b.scope is not function]
            if defaults:
                return self._binding_value(defaults[-1])
            return Value(text=hole(name))
        return merge(values)

    def _passed(self, function: Scope, name: str) -> Iterable[Value | None]:
        position = function.params.index(name)
        node = function.node
        offset = 1 if function.is_method and function.params and function.params[0] in ("self", "cls") else 0
        if function.is_method and position < offset:
            return []
        names = [function.name]
        if function.name == "__init__" and function.parent is not None:
            names = [function.parent.name]
        found: list[Value | None] = []
        for callee_name in names:
            for site in self.index.callers(callee_name)[:MAX_CALLERS]:
                call = site.node
                if site.scope is function:
                    continue
                shift = offset if isinstance(call.func, ast.Attribute) or function.name == "__init__" else 0
                found.append(self.argument(call, position - shift, name, site.scope, None))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for call, scope, how in self._indirect_callers(node.name)[:MAX_CALLERS]:
                found.append(self._indirect_argument(call, scope, how, position - offset))
        return found

    def _indirect_callers(self, name: str) -> list[tuple[ast.Call, Scope, str]]:
        """Calls that hand a function to something that calls it: Thread(target=f, args=…), submit(f, …), map(f, …)."""
        if self._indirect is None:
            table: dict[str, list[tuple[ast.Call, Scope, str]]] = {}
            for site in self.index.calls:
                call = site.node
                for keyword in call.keywords:
                    if keyword.arg == "target" and isinstance(keyword.value, ast.Name):
                        table.setdefault(keyword.value.id, []).append((call, site.scope, "args"))
                method = (
                    call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
                )
                if call.args and isinstance(call.args[0], ast.Name):
                    if method in ("submit", "apply_async", "run_in_executor", "start_new_thread"):
                        table.setdefault(call.args[0].id, []).append((call, site.scope, "submit"))
                    elif method in ("map", "imap", "imap_unordered", "starmap"):
                        table.setdefault(call.args[0].id, []).append((call, site.scope, "map"))
            self._indirect = table
        return self._indirect.get(name, [])

    def _indirect_argument(self, call: ast.Call, scope: Scope, how: str, position: int) -> Value | None:
        if how == "args":
            given = argument_node(call, None, "args")
            if isinstance(given, ast.Tuple | ast.List) and 0 <= position < len(given.elts):
                return self.resolve(given.elts[position], scope)
            return None
        if how == "submit" and 0 <= position + 1 < len(call.args):
            return self.resolve(call.args[position + 1], scope)
        if how == "map" and position == 0 and len(call.args) > 1:
            return element_of(self.resolve(call.args[1], scope), call.args[1])
        return None

    def _reference(self, qualname: str) -> Value:
        qualname = canonical(qualname)
        if qualname == "os.environ":
            return Value(ref=qualname, origins=frozenset({Origin(ENV_ALL, "os.environ", 0)}))
        if qualname.startswith("stat.") and qualname[5:] in _STAT_BITS:
            return Value(ref=qualname, number=_STAT_BITS[qualname[5:]], exact=True)
        if qualname.startswith("signal.") and qualname[7:] in _SIGNALS:
            return Value(ref=qualname, number=_SIGNALS[qualname[7:]], exact=True)
        if qualname in ("socket.AF_INET", "socket.SOCK_STREAM", "socket.SOCK_DGRAM", "socket.SOCK_RAW"):
            return Value(ref=qualname, text=qualname[7:], exact=True)
        return Value(ref=qualname)

    # ------------------------------------------------------------------ attributes and subscripts
    def _attribute(self, node: ast.Attribute, scope: Scope, env: dict[str, Value] | None) -> Value:
        dotted = dotted_name(node)
        if (
            dotted is not None
            and dotted in self.index.attributes
            and not (env and dotted.split(".")[0] in env)
        ):
            bindings = self.index.attributes[dotted]
            chosen = _pick(bindings, node, same_scope=False)
            if chosen is not None:
                return self._binding_value(chosen)
        if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
            if node.attr in self.index.functions:
                return Value(ref=f"local.{node.attr}")
            owner: Scope | None = scope
            while owner is not None and owner.kind != "class":
                owner = owner.parent
            if owner is not None and node.attr in owner.bindings:
                return self._binding_value(owner.bindings[node.attr][-1])
        base = self.resolve(node.value, scope, env)
        if base.ref is not None and base.ref.startswith("local.") and base.ref[6:] in self.index.classes:
            members = self.index.classes[base.ref[6:]][1].bindings.get(node.attr)
            if members:
                return self._binding_value(members[-1])
        return attribute_of(base, node.attr)

    def _subscript(self, node: ast.Subscript, scope: Scope, env: dict[str, Value] | None) -> Value:
        base = self.resolve(node.value, scope, env)
        key_node = node.slice
        if isinstance(key_node, ast.Slice):
            return self._slice(base, key_node, scope, env)
        key = self.resolve(key_node, scope, env)
        return subscript_of(base, key, self, key_node)

    def _slice(self, base: Value, node: ast.Slice, scope: Scope, env: dict[str, Value] | None) -> Value:
        bounds: list[int | None] = []
        for part in (node.lower, node.upper, node.step):
            if part is None:
                bounds.append(None)
                continue
            number = self.resolve(part, scope, env).number
            if not isinstance(number, int):
                return Value(origins=base.origins)
            bounds.append(number)
        lower, upper, step = bounds
        if step == 0:
            return UNKNOWN
        steps = base.steps + (("reverse",) if step is not None and step < 0 else ())
        if base.text is not None and base.exact:
            return replace(base, text=base.text[lower:upper:step], steps=steps, ref=None)
        if base.items is not None and base.exact:
            return replace(base, items=base.items[lower:upper:step], steps=steps)
        return Value(origins=base.origins)

    # ------------------------------------------------------------------ literals and operators
    def _constant(self, node: ast.Constant, scope: Scope, env: dict[str, Value] | None) -> Value:
        value = node.value
        if type(value) is str and len(value) <= MAX_TEXT:
            return Value(text=value, exact=True)  # text_value(value), for the commonest constant
        if isinstance(value, str):
            return text_value(value)
        if isinstance(value, bytes):
            return text_value(value.decode("latin-1"), binary=True)
        if isinstance(value, bool | int | float):
            return Value(number=value, exact=True)
        return Value(exact=True)

    def _joined(self, node: ast.JoinedStr, scope: Scope, env: dict[str, Value] | None) -> Value:
        parts: list[Value] = []
        for part in node.values[:200]:
            if isinstance(part, ast.FormattedValue):
                parts.append(self.resolve(part.value, scope, env))
            else:
                parts.append(self.resolve(part, scope, env))
        holes = [
            _hole_name(part.value) if isinstance(part, ast.FormattedValue) else ""
            for part in node.values[:200]
        ]
        return lift(lambda *values: _concatenate(values, holes, ("format",)), parts)

    def _binop(self, node: ast.BinOp, scope: Scope, env: dict[str, Value] | None) -> Value:
        # a long `a + b + c + …` chain is left-nested: flatten it so depth stays constant
        if isinstance(node.op, ast.Add):
            operands: list[ast.expr] = []
            current: ast.expr = node
            while isinstance(current, ast.BinOp) and isinstance(current.op, ast.Add) and len(operands) < 5000:
                operands.append(current.right)
                current = current.left
            operands.append(current)
            operands.reverse()
            values = [self.resolve(operand, scope, env) for operand in operands]
            if all(value.number is not None for value in values) and all(v.exact for v in values):
                total: int | float | None = 0
                for value in values:
                    if total is None or value.number is None:
                        break
                    total = _arithmetic(ast.Add(), total, value.number)
                if total is not None:
                    return Value(number=total, exact=True)
            if any(value.items is not None for value in values):
                items: list[Value] = []
                for value in values:
                    items.extend(value.items or ())
                return Value(
                    items=tuple(items[:MAX_ITEMS]), exact=all(v.exact for v in values), origins=union(values)
                )
            if values and all(value.kind == "pathlib.Path" for value in values[:1]):
                return lift(lambda *parts: _concatenate(parts, [_hole_name(o) for o in operands], ()), values)
            names = [_hole_name(operand) for operand in operands]
            return lift(lambda *parts: _concatenate(parts, names, ("concat",)), values)
        left = self.resolve(node.left, scope, env)
        right = self.resolve(node.right, scope, env)
        return lift(lambda a, b: _binary(node.op, a, b, node), [left, right])

    def _unary(self, node: ast.UnaryOp, scope: Scope, env: dict[str, Value] | None) -> Value:
        operand = self.resolve(node.operand, scope, env)
        if operand.number is not None and operand.exact:
            number = operand.number
            if isinstance(node.op, ast.USub):
                return Value(number=-number, exact=True)
            if isinstance(node.op, ast.Invert) and isinstance(number, int):
                return Value(number=~number, exact=True)
            if isinstance(node.op, ast.UAdd):
                return operand
        return Value(origins=operand.origins)

    def _sequence(
        self, node: ast.List | ast.Tuple | ast.Set, scope: Scope, env: dict[str, Value] | None
    ) -> Value:
        values: list[Value] = []
        for element in node.elts[:MAX_ITEMS]:
            if isinstance(element, ast.Starred):
                inner = self.resolve(element.value, scope, env)
                values.extend(inner.items or (Value(origins=inner.origins),))
            else:
                values.append(self.resolve(element, scope, env))
        exact = all(v.exact for v in values) and len(node.elts) <= MAX_ITEMS
        return Value(items=tuple(values), exact=exact, origins=union(values))

    def _dict(self, node: ast.Dict, scope: Scope, env: dict[str, Value] | None) -> Value:
        values = [self.resolve(v, scope, env) for v in node.values[:500]]
        keys = [self.resolve(k, scope, env) if k is not None else None for k in node.keys[:500]]
        return Value(kind="dict", origins=union([*values, *keys]), items=tuple(values), keys=tuple(keys))

    def _comprehension(
        self, node: ast.ListComp | ast.GeneratorExp | ast.SetComp, scope: Scope, env: dict[str, Value] | None
    ) -> Value:
        generator = node.generators[0]
        source = self.resolve(generator.iter, scope, env)
        xor = _contains_xor(node.elt)
        origins = source.origins | (
            frozenset({Origin(ENCRYPTED, "xor", node.lineno)}) if xor and not source.exact else frozenset()
        )
        if len(node.generators) == 1 and isinstance(generator.target, ast.Name) and source.exact:
            elements = _elements(source)
            if elements is not None and len(elements) <= MAX_ITEMS:
                items = []
                name = generator.target.id
                for element in elements:
                    inner = {**(env or {}), name: element}
                    if any(self.resolve(test, scope, inner).number == 0 for test in generator.ifs):
                        continue
                    items.append(self.resolve(node.elt, scope, inner))
                    if self.budget <= 0:
                        return Value(origins=origins)
                steps = ("xor",) if xor else ()
                exact = all(item.exact for item in items)
                return Value(items=tuple(items), exact=exact, origins=origins | union(items), steps=steps)
        inner_env = dict(env or {})
        if isinstance(generator.target, ast.Name):
            inner_env[generator.target.id] = replace(
                element_of(source, generator.iter), iterated=_iteration(generator.iter)
            )
        element = self.resolve(node.elt, scope, inner_env)
        return Value(
            origins=origins | element.origins, tree=element.tree, many=element.many or bool(element.tree)
        )

    def _ifexp(self, node: ast.IfExp, scope: Scope, env: dict[str, Value] | None) -> Value:
        test = self.resolve(node.test, scope, env)
        body = self.resolve(node.body, scope, env)
        orelse = self.resolve(node.orelse, scope, env)
        if test.exact and test.number is not None:
            return body if test.number else orelse
        return merge([body, orelse])

    def _boolop(self, node: ast.BoolOp, scope: Scope, env: dict[str, Value] | None) -> Value:
        values = [self.resolve(value, scope, env) for value in node.values[:20]]
        if isinstance(node.op, ast.Or):
            for value in values:
                if not (value.exact and not (value.text or value.number or value.items)):
                    return replace(value, origins=union(values))
        return Value(origins=union(values))

    def _passthrough(self, node: ast.expr, scope: Scope, env: dict[str, Value] | None) -> Value:
        inner = getattr(node, "value", None)
        return self.resolve(inner, scope, env) if isinstance(inner, ast.expr) else UNKNOWN

    def _named(self, node: ast.NamedExpr, scope: Scope, env: dict[str, Value] | None) -> Value:
        return self.resolve(node.value, scope, env)

    # ------------------------------------------------------------------ calls
    def _call(self, node: ast.Call, scope: Scope, env: dict[str, Value] | None) -> Value:
        callee = self.callee(node, scope, env)
        qualname = callee.ref
        if qualname is not None:
            fold = _FOLDS.get(qualname)
            if fold is not None:
                result = fold(self, node, scope, env, callee)
                if result is not None:
                    return _evasive(result, callee)
            if qualname.startswith("local."):
                return self._local_call(node, scope, env, qualname[6:], callee)
            method = qualname.rsplit(".", 1)[-1]
            receiver = callee.bound
            if (
                receiver is not None
                and method in _STRING_FOLDS
                and (receiver.text is not None or receiver.items is not None)
            ):
                folded = _STRING_FOLDS[method](self, node, scope, env, receiver)
                if folded is not None:
                    return folded
            return _evasive(self._known_result(node, scope, env, qualname, receiver), callee)
        arguments = [self.resolve(a, scope, env) for a in node.args[:20]]
        arguments += [self.resolve(k.value, scope, env) for k in node.keywords[:20]]
        return Value(origins=union([callee, *arguments]))

    def _local_call(
        self, node: ast.Call, scope: Scope, env: dict[str, Value] | None, name: str, callee: Value
    ) -> Value:
        """The value a module-local function returns, with its parameters bound to this call's arguments."""
        if name in self.index.classes:
            arguments = [self.resolve(a, scope, env) for a in node.args[:20]]
            return Value(kind=f"local.{name}", origins=union(arguments))
        functions = self.index.functions.get(name)
        if not functions:
            return UNKNOWN
        function = functions[-1]
        key = ("call", id(function))
        if key in self._active or not function.returns:
            arguments = [self.resolve(a, scope, env) for a in node.args[:20]]
            return Value(origins=union(arguments))
        offset = 1 if function.is_method and function.params and function.params[0] in ("self", "cls") else 0
        bound: dict[str, Value] = {}
        for position, param in enumerate(function.params[offset:]):
            value = self.argument(node, position, param, scope, env)
            if value is not None:
                bound[param] = value
        self._active.add(key)
        try:
            results = [self.resolve(expression, function, bound) for expression in function.returns[:8]]
        finally:
            self._active.discard(key)
        return merge(results)

    def _known_result(
        self,
        node: ast.Call,
        scope: Scope,
        env: dict[str, Value] | None,
        qualname: str,
        receiver: Value | None,
    ) -> Value:
        """What calling a library function or method yields: the kind of object and where its data came from."""
        arguments = [self.resolve(a, scope, env) for a in node.args[:20]]
        keywords = {k.arg: self.resolve(k.value, scope, env) for k in node.keywords[:20]}
        # an environment handed to a child process configures it; it is not what the call returns
        origins = union([receiver, *arguments, *(v for k, v in keywords.items() if k != "env")])
        method = qualname.rsplit(".", 1)[-1]
        kind = _RESULT_KINDS.get(qualname)
        line = node.lineno
        if qualname in _NETWORK_RESULTS or (
            receiver is not None
            and receiver.kind == "requests.Session"
            and method in ("get", "post", "request", "stream", "put")
        ):
            url = arguments[0] if arguments else keywords.get("url")
            return Value(
                kind="response", origins=origins | {Origin(NETWORK, url.shown() if url else "?", line)}
            )
        if qualname in _INPUT_CALLS:
            shown = qualname.removeprefix("builtins.") + (
                "()" if "." not in qualname.removeprefix("builtins.") else ""
            )
            return Value(text=hole("input"), origins=origins | {Origin(INPUT, shown, line)})
        if kind == "file":
            path = (
                arguments[0]
                if arguments
                else keywords.get("file") or (receiver if receiver is not None else None)
            )
            if qualname == "pathlib.Path.open" and receiver is not None:
                path = receiver
            mode_value = (
                arguments[1]
                if len(arguments) > 1 and qualname != "pathlib.Path.open"
                else keywords.get("mode")
            )
            if qualname == "pathlib.Path.open" and arguments:
                mode_value = arguments[0]
            mode = mode_value.known_text if mode_value is not None else "r"
            text = path.text if path is not None else None
            if text is not None and mode is not None and ("r" in mode or "+" in mode):
                origins = origins | {file_origin(text, line)}
            return Value(
                kind="file",
                path=text,
                mode=mode or "?",
                origins=origins,
                tree=path.tree if path else None,
                many=path.many if path else False,
                climbs=bool(path and path.climbs),
            )
        if receiver is not None:
            if (
                receiver.kind == "dict"
                and receiver.items is not None
                and method in ("values", "keys", "items")
            ):
                return _dict_view(receiver, method)
            if receiver.kind in ("socket.socket", "socket.file") and method in _SOCKET_READS:
                if method == "accept":
                    return Value(items=(Value(kind="socket.socket", origins=receiver.origins), UNKNOWN))
                return Value(
                    origins=origins | {Origin(SOCKET, "recv", line)},
                    kind="socket.file" if method == "makefile" else None,
                )
            if receiver.kind == "pathlib.Path" and method in _FILE_READS and receiver.text is not None:
                return Value(origins=origins | {file_origin(receiver.text, line)})
            if receiver.kind == "pathlib.Path" and method in ("iterdir", "glob", "rglob"):
                return _listing(receiver, method, arguments, qualname)
            if receiver.kind == "pathlib.Path" and method in _PATH_SAME:
                return replace(receiver, ref=None, bound=None)
            if receiver.kind == "cipher" and method in (
                "encrypt",
                "update",
                "encrypt_and_digest",
                "finalize",
            ):
                return Value(origins=origins | {Origin(ENCRYPTED, qualname, line)})
            if receiver.kind == "sqlite3.Connection":
                return Value(origins=origins, kind="sqlite3.Connection")
        if qualname == "sqlite3.connect" and arguments and arguments[0].text is not None:
            return Value(
                kind="sqlite3.Connection",
                path=arguments[0].text,
                origins=origins | {file_origin(arguments[0].text, line)},
            )
        if qualname in ("os.walk", "os.fwalk") and arguments:
            return Value(kind="os.walk", text=arguments[0].text, tree=arguments[0].text, origins=origins)
        if qualname in ("os.listdir", "os.scandir", "glob.glob", "glob.iglob"):
            return _listing(
                arguments[0] if arguments else text_value("."), qualname, arguments, qualname, keywords
            )
        if qualname in ("psutil.process_iter", "psutil.pids"):
            return Value(kind="psutil.process_iter")
        if qualname in ("builtins.range",):
            bounds = [a.number for a in arguments]
            if 1 <= len(bounds) <= 3 and all(isinstance(b, int) for b in bounds) and bounds[2:] != [0]:
                numbers = range(*bounds)  # type: ignore[arg-type]
                if 0 < len(numbers) <= MAX_VARIANTS:  # `for fd in range(3)`: each value is known
                    items = tuple(Value(number=n, exact=True) for n in numbers)
                    return Value(kind="range", items=items, origins=origins)
            return Value(kind="range", origins=origins)
        if qualname in ("builtins.list", "builtins.tuple", "builtins.set", "builtins.sorted") and arguments:
            source = arguments[0]
            if source.items is not None:
                return replace(source, ref=None, bound=None)
            if source.text is not None and source.exact and len(source.text) <= MAX_ITEMS:
                return Value(items=tuple(text_value(c) for c in source.text), exact=True, steps=source.steps)
            return replace(source, ref=None, bound=None, kind=source.kind)
        if qualname == "tempfile.TemporaryDirectory" or qualname == "tempfile.mkdtemp":
            return Value(kind=kind, text="/tmp/tmpdir", exact=True)
        if qualname in ("tempfile.NamedTemporaryFile", "tempfile.mkstemp", "tempfile.TemporaryFile"):
            return Value(kind="file", path="/tmp/tmpfile", mode="w+b")
        if kind is not None:
            first = arguments[0] if arguments else None
            return Value(
                kind=kind,
                origins=origins,
                text=first.text
                if first is not None
                and kind
                in (
                    "urllib.request.Request",
                    "http.client.HTTPConnection",
                    "ftplib.FTP",
                    "smtplib.SMTP",
                    "telnetlib.Telnet",
                    "s3.Bucket",
                )
                else None,
            )
        return Value(origins=origins)


# ---------------------------------------------------------------------------------------------- value algebra
def merge(values: list[Value]) -> Value:
    """One value standing for several possible ones."""
    unique: list[Value] = []
    seen: set[tuple[object, ...]] = set()
    for value in values:
        for candidate in value.candidates():
            key = (
                candidate.text,
                candidate.number,
                candidate.ref,
                candidate.kind,
                candidate.path,
                candidate.tree,
            )
            if key not in seen:
                seen.add(key)
                unique.append(candidate)
    if not unique:
        return UNKNOWN
    if len(unique) == 1:
        return unique[0]
    kept = tuple(unique[:MAX_VARIANTS])
    return Value(variants=kept, origins=union(unique), text=kept[0].text, kind=kept[0].kind, ref=kept[0].ref)


def lift(function: Callable[..., Value], values: list[Value]) -> Value:
    """Apply `function` to concrete values, once per combination of their variants (a few at most)."""
    if not any(value.variants for value in values):
        return function(*values)
    combinations = itertools.islice(
        itertools.product(*(value.candidates() for value in values)), MAX_VARIANTS
    )
    return merge([function(*combination) for combination in combinations])


def _concatenate(values: tuple[Value, ...] | list[Value], names: list[str], step: tuple[str, ...]) -> Value:
    pieces: list[str] = []
    size = 0
    exact = True
    binary = False
    steps: list[str] = []
    tree = None
    many = False
    climbs = False
    for value, name in zip(values, names, strict=False):
        piece = as_text(value, name)
        exact = exact and value.exact and (value.text is not None or value.number is not None)
        binary = binary or value.binary
        steps.extend(s for s in value.steps if s not in steps)
        tree = tree or value.tree
        many = many or value.many
        climbs = climbs or value.climbs
        size += len(piece)
        if size > MAX_TEXT:
            return Value(origins=union(values))
        pieces.append(piece)
    literal_parts = sum(1 for value in values if value.exact and value.text is not None)
    if literal_parts > 1:
        steps.extend(s for s in step if s not in steps)
    first = values[0] if values else UNKNOWN
    return Value(
        text="".join(pieces),
        exact=exact,
        binary=binary,
        steps=tuple(steps),
        origins=union(values),
        kind=first.kind if first.kind == "pathlib.Path" else None,
        tree=tree,
        many=many,
        climbs=climbs,
    )


def as_text(value: Value, name: str = "") -> str:
    if value.text is not None:
        return value.text
    if value.number is not None and not isinstance(value.number, bool):
        return str(value.number)
    if value.items is not None and value.exact:
        return "[" + ", ".join(repr(as_text(item)) for item in value.items[:50]) + "]"
    return hole(name)


def _hole_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call):
        return _hole_name(node.func)
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return str(node.slice.value)[:40]
    return "value"


def _arithmetic(op: ast.operator, left: int | float, right: int | float) -> int | float | None:
    try:
        if isinstance(op, ast.Add):
            return left + right
        if isinstance(op, ast.Sub):
            return left - right
        if isinstance(op, ast.Mult):
            return left * right if abs(left) < 2**64 and abs(right) < 2**64 else None
        if isinstance(op, ast.FloorDiv):
            return left // right
        if isinstance(op, ast.Div):
            return left / right
        if isinstance(op, ast.Mod):
            return left % right
        if isinstance(left, int) and isinstance(right, int):
            if isinstance(op, ast.BitXor):
                return left ^ right
            if isinstance(op, ast.BitOr):
                return left | right
            if isinstance(op, ast.BitAnd):
                return left & right
            if isinstance(op, ast.LShift):
                return left << right if 0 <= right < 64 else None
            if isinstance(op, ast.RShift):
                return left >> right if 0 <= right < 64 else None
            if isinstance(op, ast.Pow):
                return left**right if 0 <= right < 64 and abs(left) < 2**16 else None
    except (ZeroDivisionError, OverflowError, ValueError):
        return None
    return None


def _binary(op: ast.operator, left: Value, right: Value, node: ast.BinOp) -> Value:
    origins = left.origins | right.origins
    if left.number is not None and right.number is not None and left.exact and right.exact:
        number = _arithmetic(op, left.number, right.number)
        if number is not None:
            return Value(number=number, exact=True)
    if isinstance(op, ast.Mod) and left.text is not None:
        return _printf(left, right)
    if isinstance(op, ast.Mult):
        text, count = (left, right) if left.text is not None else (right, left)
        if (
            text.text is not None
            and isinstance(count.number, int)
            and 0 <= count.number * len(text.text) <= MAX_TEXT
        ):
            return replace(
                text, text=text.text * count.number, exact=text.exact and count.exact, origins=origins
            )
        sequence, count = (left, right) if left.items is not None else (right, left)
        if (
            sequence.items is not None
            and isinstance(count.number, int)
            and 0 <= count.number * len(sequence.items) <= MAX_ITEMS
        ):
            return replace(sequence, items=sequence.items * count.number, origins=origins)
    if isinstance(op, ast.Div) and left.kind == "pathlib.Path":
        return _join_paths([left, right], kind="pathlib.Path")
    if isinstance(op, ast.BitXor):
        return Value(origins=origins, steps=("xor",))
    return Value(origins=origins)


def _printf(template: Value, arguments: Value) -> Value:
    values = (
        list(arguments.items) if arguments.items is not None and arguments.kind != "dict" else [arguments]
    )
    position = 0
    exact = template.exact

    def substitute(match: re.Match[str]) -> str:
        nonlocal position, exact
        if match.group(4) == "%":
            return "%"
        if position >= len(values):
            exact = False
            return hole("arg")
        value = values[position]
        position += 1
        exact = exact and value.exact
        if match.group(4) in "xX" and isinstance(value.number, int):
            return format(value.number, match.group(4))
        if match.group(4) == "c" and isinstance(value.number, int) and 0 <= value.number < 0x110000:
            return chr(value.number)
        return as_text(value, "arg")

    text = template.text or ""
    if len(text) > MAX_TEXT:
        return Value(origins=template.origins | arguments.origins)
    folded = _PRINTF.sub(substitute, text)
    return Value(
        text=folded[:MAX_TEXT],
        exact=exact,
        origins=template.origins | arguments.origins,
        steps=(*template.steps, "format"),
        binary=template.binary,
    )


def _dict_view(mapping: Value, method: str) -> Value:
    """`d.values()`, `d.keys()`, `d.items()` of a dict literal: a list of what it holds."""
    values = mapping.items or ()
    keys = mapping.keys or (None,) * len(values)
    if method == "values":
        items = values
    elif method == "keys":
        items = tuple(key if key is not None else UNKNOWN for key in keys)
    else:
        items = tuple(
            Value(items=(key if key is not None else UNKNOWN, value))
            for key, value in zip(keys, values, strict=False)
        )
    return Value(items=tuple(items), origins=mapping.origins)


def element_of(value: Value, iterable: ast.expr | None = None) -> Value:
    """What a loop over `value` binds its variable to."""
    if value.variants:
        return merge([element_of(v, iterable) for v in value.variants])
    if value.kind == "os.walk":
        root = Value(text=value.text, tree=value.tree, origins=value.origins)
        names = Value(text=hole("name"), many=True, origins=value.origins)
        return Value(items=(root, names, names), origins=value.origins)
    if value.kind == "listing":
        return Value(
            text=value.text,
            tree=value.tree,
            many=True,
            kind=value.path,
            origins=value.origins,
            climbs=value.climbs,
        )
    if value.kind == "psutil.process_iter":
        return Value(kind="psutil.Process")
    if value.kind == "file":
        return Value(origins=value.origins)
    if value.kind == "range":
        if value.items:
            return merge([replace(item, iterated="range", origins=value.origins) for item in value.items])
        return Value(iterated="range", origins=value.origins)
    if value.items is not None:
        if 0 < len(value.items) <= MAX_VARIANTS:
            return merge(list(value.items))
        if value.items:
            first = value.items[0]
            return Value(
                origins=value.origins | first.origins, kind=first.kind, iterated=f"list of {len(value.items)}"
            )
    if value.kind == "dict":
        return Value(origins=value.origins)
    if value.text is not None and value.exact and value.text and len(value.text) <= MAX_VARIANTS:
        return merge([text_value(c) for c in value.text])
    return Value(origins=value.origins, kind="socket.file" if value.kind == "socket.file" else None)


def item_of(value: Value, index: int) -> Value:
    if value.variants:
        return merge([item_of(v, index) for v in value.variants])
    if value.items is not None and -len(value.items) <= index < len(value.items):
        return value.items[index]
    return Value(origins=value.origins)


def _elements(value: Value) -> list[Value] | None:
    if value.items is not None:
        return list(value.items)
    if value.text is not None and value.exact:
        if value.binary:
            return [Value(number=ord(c), exact=True) for c in value.text]
        return [text_value(c) for c in value.text]
    return None


def _iteration(iterable: ast.expr) -> str | None:
    if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name) and iterable.func.id == "range":
        return "range"
    if isinstance(iterable, ast.List | ast.Tuple) and len(iterable.elts) >= 5:
        return f"list of {len(iterable.elts)}"
    return None


def attribute_of(base: Value, attribute: str) -> Value:
    if base.variants:
        return merge([attribute_of(v, attribute) for v in base.variants])
    if base.ref is not None and base.kind is None and base.bound is None:
        qualname = canonical(f"{base.ref}.{attribute}")
        if (
            qualname.startswith("builtins.")
            and qualname.count(".") > 1
            and qualname.split(".")[1] in ("__dict__",)
        ):
            return Value(ref="builtins", evasive=base.evasive)
        if attribute == "__dict__":
            return Value(ref=base.ref, kind="namespace", evasive=base.evasive)
        value = _reference_value(qualname)
        if base.origins and not value.origins:
            value = replace(value, bound=base, origins=base.origins)
        return replace(value, evasive=base.evasive) if base.evasive else value
    if base.kind == "pathlib.Path" or (base.kind == "listing.path"):
        if attribute == "parent" and base.text is not None:
            parent = posixpath.dirname(base.text.rstrip("/")) or "."
            return replace(base, text=parent, many=False)
        if attribute in ("name", "stem", "suffix") and base.text is not None:
            return replace(base, text=posixpath.basename(base.text), kind=None, tree=None, many=False)
    if base.kind == "namespace" and base.ref is not None:
        return Value(ref=canonical(f"{base.ref}.{attribute}"), evasive=base.evasive)
    if base.kind == "tempfile.TemporaryDirectory" and attribute == "name":
        return replace(base, kind=None)
    if base.kind in ("psutil.Process",) and attribute in ("pid", "info"):
        return Value(kind="psutil.pid" if attribute == "pid" else "psutil.info")
    if base.kind is not None:
        return Value(ref=f"{base.kind}.{attribute}", bound=base, origins=base.origins, evasive=base.evasive)
    if attribute in ("path",) and (base.many or base.tree):
        return base
    return Value(ref=f"?.{attribute}", bound=base, origins=base.origins, text=None)


def _reference_value(qualname: str) -> Value:
    if qualname == "os.environ":
        return Value(ref=qualname, origins=frozenset({Origin(ENV_ALL, "os.environ", 0)}))
    if qualname.startswith("stat.") and qualname[5:] in _STAT_BITS:
        return Value(ref=qualname, number=_STAT_BITS[qualname[5:]], exact=True)
    if qualname.startswith("signal.") and qualname[7:] in _SIGNALS:
        return Value(ref=qualname, number=_SIGNALS[qualname[7:]], exact=True)
    if qualname in ("os.O_WRONLY", "os.O_RDWR", "os.O_TRUNC", "os.O_CREAT", "os.O_APPEND", "os.O_RDONLY"):
        return Value(ref=qualname, text=qualname[3:], exact=True)
    if qualname in ("sys.modules",):
        return Value(ref="sys.modules", kind="namespace")
    if qualname == "sys.argv":
        return Value(ref=qualname, origins=frozenset({Origin(INPUT, "sys.argv", 0)}))
    if qualname in ("sys.stdin",):
        return Value(ref=qualname, kind="stdin", origins=frozenset({Origin(INPUT, "stdin", 0)}))
    return Value(ref=qualname)


def subscript_of(base: Value, key: Value, resolver: Resolver, key_node: ast.expr | None = None) -> Value:
    if base.variants:
        return merge([subscript_of(v, key, resolver, key_node) for v in base.variants])
    if base.ref == "os.environ":
        return _environment_variable(key)
    if base.kind == "namespace":
        name = key.known_text
        if name is None:
            return UNKNOWN
        route = _route(key, key_node)
        if base.ref == "sys.modules":
            return Value(ref=canonical(name), evasive=route)
        if base.ref in (None, "builtins") or name == "__builtins__":
            if name == "__builtins__":
                return Value(ref="builtins", kind="namespace", evasive=route or "globals()['__builtins__']")
            if base.ref == "builtins":
                return Value(ref=f"builtins.{name}", evasive=route or f"__builtins__[{name!r}]")
            value = resolver._name(_synthetic_name(name), resolver.index.module, None)
            return (
                replace(value, evasive=value.evasive or route or f"globals()[{name!r}]")
                if value.ref
                else value
            )
        return Value(ref=canonical(f"{base.ref}.{name}"), evasive=route or f"vars({base.ref})[{name!r}]")
    if base.ref == "builtins":
        name = key.known_text
        if name is not None:
            return Value(ref=f"builtins.{name}", evasive=_route(key, key_node) or f"__builtins__[{name!r}]")
    if base.kind == "dict" and base.keys is not None:
        found = _dict_lookup(base, key)
        if found is not None:
            return found
    if base.kind == "psutil.info":
        return Value(kind="psutil.pid") if key.known_text == "pid" else UNKNOWN
    if isinstance(key.number, int) and key.exact:
        if base.text is not None and base.exact and -len(base.text) <= key.number < len(base.text):
            character = base.text[key.number]
            return Value(number=ord(character), exact=True) if base.binary else text_value(character)
        if base.items is not None and -len(base.items) <= key.number < len(base.items):
            return base.items[key.number]
    return Value(origins=base.origins)


def _synthetic_name(name: str) -> ast.Name:
    """A Name node standing for a name looked up by string (`globals()['os']`), read as of the module's end."""
    return ast.Name(id=name, ctx=ast.Load(), lineno=1 << 30, col_offset=0)


def _dict_lookup(table: Value, key: Value) -> Value | None:
    """The value a dict literal holds under a constant key."""
    wanted = key.known_text if key.known_text is not None else key.number if key.exact else None
    if wanted is None or table.keys is None or table.items is None:
        return None
    for candidate, value in zip(table.keys, table.items, strict=False):
        if candidate is None:
            continue
        if (candidate.known_text if candidate.text is not None else candidate.number) == wanted:
            return value
    return None


def _environment_variable(key: Value) -> Value:
    name = key.known_text
    if name is None:
        return Value(origins=frozenset({Origin(ENV, "?", 0)}))
    if name in _HOME_VARIABLES:
        return text_value("~")
    if name in ("TMPDIR", "TEMP", "TMP"):
        return text_value("/tmp")
    origins = frozenset({Origin(ENV, name, 0)}) if _SECRET_ENV.search(name) else frozenset()
    return Value(text=hole(name), origins=origins)


def _route(key: Value, node: ast.expr | None) -> str | None:
    """How a computed name was built, when it was built rather than written: `'sys' + 'tem' (= 'system')`."""
    if not key.steps:
        return None
    source = ast.unparse(node)[:80] if node is not None else " -> ".join(key.steps)
    return f"{source} (= {key.shown(40)!r})"


def _evasive(value: Value, callee: Value) -> Value:
    if callee.evasive and not value.evasive:
        return replace(value, evasive=callee.evasive)
    return value


def _contains_xor(node: ast.expr) -> bool:
    stack: list[ast.AST] = [node]
    seen = 0
    while stack and seen < 200:
        current = stack.pop()
        seen += 1
        if isinstance(current, ast.BinOp) and isinstance(current.op, ast.BitXor):
            return True
        stack.extend(ast.iter_child_nodes(current))
    return False


def _listing(
    directory: Value,
    how: str,
    arguments: list[Value],
    qualname: str,
    keywords: dict[str | None, Value] | None = None,
) -> Value:
    """The entries of a directory: one level (listdir, glob) or the whole tree (rglob, `**` with recursive)."""
    pattern = directory.text or hole("dir")
    recursive = how == "rglob" or (
        keywords is not None and (keywords.get("recursive") or UNKNOWN).number == 1
    )
    if how in ("glob", "rglob") and qualname.startswith("pathlib"):
        glob = arguments[0].text if arguments and arguments[0].text else "*"
        recursive = recursive or "**" in glob
        pattern = pattern.rstrip("/") + "/" + glob
    if qualname.startswith("glob."):
        recursive = recursive and "**" in pattern
    base = pattern.split("*", 1)[0].rstrip("/") or "."
    if "/" in base and "*" in pattern and not qualname.startswith("pathlib"):
        base = posixpath.dirname(pattern.split("*", 1)[0] + "x") or "."
    if qualname in ("os.listdir", "os.scandir"):
        text = hole("entry")
    else:
        text = base.rstrip("/") + "/" + hole("entry")
    kind = "pathlib.Path" if qualname.startswith("pathlib") else None
    return Value(
        kind="listing",
        path=kind,
        text=text,
        tree=base if recursive else None,
        many=True,
        origins=directory.origins,
        climbs=directory.climbs,
    )


_CLIMB_THEN_DESCEND = re.compile(r"(^|/)\.\./+(?!\.\.(/|$))[^/]")
"""`../etc/passwd`, `a/../../b`: climbing out of a directory and into another place (not a bare `..`)."""
_PATH_SAME = frozenset(
    {"resolve", "absolute", "expanduser", "with_suffix", "with_name", "joinpath", "__fspath__"}
)


def _join_paths(parts: list[Value], *, kind: str | None = None) -> Value:
    text = ""
    exact = True
    tree = None
    many = False
    climbs = False
    for position, part in enumerate(parts):
        piece = as_text(part, "part")
        exact = exact and part.exact
        tree = tree or part.tree
        many = many or part.many
        if position and _CLIMB_THEN_DESCEND.search(piece):
            climbs = True
        climbs = climbs or part.climbs
        text = piece if piece.startswith("/") or not text else text.rstrip("/") + "/" + piece
    if len(text) > MAX_TEXT:
        return Value(origins=union(parts))
    return Value(text=text, exact=exact, kind=kind, tree=tree, many=many, climbs=climbs, origins=union(parts))


# ---------------------------------------------------------------------------------------------- folds
Fold = Callable[[Resolver, ast.Call, Scope, "dict[str, Value] | None", Value], "Value | None"]


def _first(resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None) -> Value:
    return resolver.resolve(node.args[0], scope, env) if node.args else UNKNOWN


def _fold_chr(
    resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, callee: Value
) -> Value | None:
    value = _first(resolver, node, scope, env)

    def fold(value: Value) -> Value:
        if isinstance(value.number, int) and value.exact and 0 <= value.number < 0x110000:
            return text_value(chr(value.number), steps=("chr",))
        return Value(origins=value.origins, text=hole("chr"))

    return lift(fold, [value])


def _fold_ord(
    resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, callee: Value
) -> Value | None:
    value = _first(resolver, node, scope, env)
    if value.text is not None and value.exact and len(value.text) == 1:
        return Value(number=ord(value.text), exact=True)
    return Value(origins=value.origins)


def _fold_str(
    resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, callee: Value
) -> Value | None:
    if not node.args:
        return text_value("")
    value = _first(resolver, node, scope, env)
    if value.binary and len(node.args) > 1 and value.text is not None:
        return _decode_bytes(value)
    if value.text is not None:
        return replace(
            value, binary=False if not value.binary else value.binary, kind=None, ref=None, bound=None
        )
    if value.number is not None:
        return Value(text=str(value.number), exact=value.exact)
    return Value(text=None, origins=value.origins, tree=value.tree, many=value.many)


def _fold_bytes(
    resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, callee: Value
) -> Value | None:
    value = _first(resolver, node, scope, env)
    if value.items is not None and value.exact:
        numbers = [item.number for item in value.items]
        if all(isinstance(n, int) and 0 <= n < 256 for n in numbers):
            return text_value(bytes(numbers).decode("latin-1"), binary=True, steps=(*value.steps, "bytes"))  # type: ignore[arg-type]
    if value.text is not None and not value.binary:
        return _encode_text(value)
    return replace(value, binary=True) if value.text is not None else Value(origins=value.origins)


def _decode_bytes(value: Value) -> Value:
    if value.text is None:
        return value
    if not value.binary:
        return value
    raw = value.text.encode("latin-1", "replace")
    return replace(value, text=raw.decode("utf-8", "replace"), binary=False, ref=None, bound=None, kind=None)


def _encode_text(value: Value) -> Value:
    if value.text is None or value.binary:
        return value
    return replace(
        value,
        text=value.text.encode("utf-8", "surrogatepass").decode("latin-1"),
        binary=True,
        ref=None,
        bound=None,
        kind=None,
    )


def _fold_int(
    resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, callee: Value
) -> Value | None:
    value = _first(resolver, node, scope, env)
    base = resolver.resolve(node.args[1], scope, env).number if len(node.args) > 1 else 10
    if value.number is not None and value.exact:
        return Value(number=int(value.number), exact=True)
    if value.text is not None and value.exact and len(value.text) <= 64 and isinstance(base, int):
        try:
            return Value(number=int(value.text, base), exact=True)
        except ValueError:
            return None
    return Value(origins=value.origins)


def _decoder(name: str) -> Fold:
    """A fold for `base64.b64decode(x)` and its kin: one layer, through the shared bounded decoder."""

    def fold(
        resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, callee: Value
    ) -> Value | None:
        value = _first(resolver, node, scope, env)

        def decode(value: Value) -> Value:
            if value.text is None or not value.exact:
                return Value(origins=value.origins, steps=(name,))
            raw = (
                value.text.encode("latin-1", "replace")
                if value.binary
                else value.text.encode("utf-8", "surrogatepass")
            )
            out = decoding.decode_as(name, raw)
            if out is None:
                return Value(origins=value.origins, steps=(name,))
            return Value(
                text=out.decode("latin-1"),
                binary=True,
                exact=True,
                steps=(*value.steps, name),
                origins=value.origins,
            )

        return lift(decode, [value])

    return fold


def _encoder(name: str) -> Fold:
    def fold(
        resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, callee: Value
    ) -> Value | None:
        value = _first(resolver, node, scope, env)
        if value.text is None or not value.exact or len(value.text) > MAX_TEXT // 2:
            return Value(origins=value.origins)
        raw = (
            value.text.encode("latin-1", "replace")
            if value.binary
            else value.text.encode("utf-8", "surrogatepass")
        )
        out = decoding.encode_as(name, raw)
        if out is None:
            return Value(origins=value.origins)
        return Value(
            text=out.decode("latin-1"), binary=True, exact=True, origins=value.origins, steps=value.steps
        )

    return fold


def _fold_codecs(
    resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, callee: Value
) -> Value | None:
    value = _first(resolver, node, scope, env)
    encoding = resolver.argument(node, 1, "encoding", scope, env)
    name = (encoding.known_text or "utf-8").lower().replace("-", "_") if encoding is not None else "utf_8"
    if name in ("rot13", "rot_13"):
        if value.text is not None and value.exact:
            return text_value(codecs.decode(value.text, "rot13"), steps=(*value.steps, "rot13"))
        return Value(origins=value.origins, steps=("rot13",))
    layer = {
        "base64": "base64",
        "base_64": "base64",
        "hex": "hex",
        "zlib": "zlib",
        "bz2": "bz2",
        "hex_codec": "hex",
        "base64_codec": "base64",
        "zlib_codec": "zlib",
    }.get(name)
    if layer is not None and callee.ref == "codecs.decode":
        return _decoder(layer)(resolver, node, scope, env, callee)
    if callee.ref == "codecs.decode":
        return _decode_bytes(value)
    return _encode_text(value)


def _fold_join(
    resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, receiver: Value
) -> Value | None:
    if not node.args or receiver.text is None:
        return None
    iterable = _first(resolver, node, scope, env)
    if iterable.items is None:
        if iterable.text is not None and iterable.exact:
            return replace(iterable, text=receiver.text.join(iterable.text))
        return Value(origins=iterable.origins | receiver.origins, steps=iterable.steps)
    pieces = [as_text(item, "item") for item in iterable.items]
    text = receiver.text.join(pieces)
    if len(text) > MAX_TEXT:
        return Value(origins=iterable.origins)
    steps = list(iterable.steps)
    for item in iterable.items:
        steps.extend(s for s in item.steps if s not in steps)
    if len(iterable.items) > 1:
        steps.append("join")
    return Value(
        text=text,
        exact=iterable.exact and receiver.exact and all(i.text is not None for i in iterable.items),
        steps=tuple(steps),
        origins=iterable.origins | receiver.origins,
        binary=receiver.binary,
    )


def _fold_get(
    resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, receiver: Value
) -> Value | None:
    if receiver.kind != "dict" or not node.args:
        return None
    found = _dict_lookup(receiver, resolver.resolve(node.args[0], scope, env))
    if found is not None:
        return found
    return (
        resolver.resolve(node.args[1], scope, env) if len(node.args) > 1 else Value(origins=receiver.origins)
    )


def _fold_format(
    resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, receiver: Value
) -> Value | None:
    template = receiver.text
    if template is None or len(template) > MAX_TEXT:
        return None
    positional = [resolver.resolve(a, scope, env) for a in node.args[:50]]
    named = {k.arg: resolver.resolve(k.value, scope, env) for k in node.keywords[:50] if k.arg}
    pieces: list[str] = []
    exact = receiver.exact
    automatic = 0
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return None
    for literal, field_name, _, _ in parsed:
        pieces.append(literal)
        if field_name is None:
            continue
        head = re.split(r"[.\[]", field_name, maxsplit=1)[0]
        value: Value | None
        if head == "":
            value = positional[automatic] if automatic < len(positional) else None
            automatic += 1
        elif head.isdigit():
            index = int(head)
            value = positional[index] if index < len(positional) else None
        else:
            value = named.get(head)
        if value is None or head != field_name:
            exact = False
            pieces.append(hole(head or "arg"))
            continue
        exact = exact and value.exact
        pieces.append(as_text(value, head or "arg"))
    text = "".join(pieces)
    origins = union([*positional, *named.values(), receiver])
    return Value(text=text[:MAX_TEXT], exact=exact, origins=origins, steps=(*receiver.steps, "format"))


def _fold_replace(
    resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, receiver: Value
) -> Value | None:
    if receiver.text is None or len(node.args) < 2:
        return None
    old = resolver.resolve(node.args[0], scope, env).known_text
    new = resolver.resolve(node.args[1], scope, env).known_text
    if old is None or new is None or not old:
        return Value(origins=receiver.origins)
    if receiver.text.count(old) * max(1, len(new)) > MAX_TEXT:
        return Value(origins=receiver.origins)
    return replace(
        receiver,
        text=receiver.text.replace(old, new),
        ref=None,
        bound=None,
        steps=(*receiver.steps, "replace"),
    )


def _fold_decode(
    resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, receiver: Value
) -> Value | None:
    encoding = resolver.argument(node, 0, "encoding", scope, env)
    name = (encoding.known_text or "") if encoding is not None else ""
    if name.lower() in ("hex", "base64", "rot13", "zlib", "rot_13"):  # Python 2 codecs
        layer = "rot13" if name.startswith("rot") else name.lower()
        if layer == "rot13" and receiver.text is not None:
            return text_value(codecs.decode(receiver.text, "rot13"), steps=(*receiver.steps, "rot13"))
        raw = (receiver.text or "").encode("latin-1", "replace")
        out = decoding.decode_as(layer, raw)
        if out is not None:
            return Value(
                text=out.decode("latin-1"), binary=True, exact=receiver.exact, steps=(*receiver.steps, layer)
            )
    return _decode_bytes(replace(receiver, ref=None, bound=None))


def _fold_encode(
    resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, receiver: Value
) -> Value | None:
    return _encode_text(replace(receiver, ref=None, bound=None))


def _fold_case(
    resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, receiver: Value
) -> Value | None:
    method = node.func.attr if isinstance(node.func, ast.Attribute) else ""
    if receiver.text is None or method not in _STRING_METHODS:
        return None
    if method in ("strip", "lstrip", "rstrip") and node.args:
        characters = resolver.resolve(node.args[0], scope, env).known_text
        if characters is None:
            return replace(receiver, ref=None, bound=None)
        return replace(receiver, text=getattr(receiver.text, method)(characters), ref=None, bound=None)
    return replace(receiver, text=getattr(receiver.text, method)(), ref=None, bound=None)


def _fold_split(
    resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, receiver: Value
) -> Value | None:
    if receiver.text is None or not receiver.exact:
        return Value(origins=receiver.origins)
    separator = resolver.resolve(node.args[0], scope, env).known_text if node.args else None
    parts = receiver.text.split(separator) if separator != "" else [receiver.text]
    if len(parts) > MAX_ITEMS:
        return Value(origins=receiver.origins)
    return Value(
        items=tuple(replace(receiver, text=part) for part in parts),
        exact=True,
        origins=receiver.origins,
        steps=receiver.steps,
    )


def _fold_fromhex(
    resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, callee: Value
) -> Value | None:
    return _decoder("hex")(resolver, node, scope, env, callee)


def _fold_reversed(
    resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, callee: Value
) -> Value | None:
    value = _first(resolver, node, scope, env)
    if value.text is not None and value.exact:
        return replace(value, text=value.text[::-1], steps=(*value.steps, "reverse"))
    if value.items is not None:
        return replace(value, items=value.items[::-1], steps=(*value.steps, "reverse"))
    return Value(origins=value.origins)


def _fold_map(
    resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, callee: Value
) -> Value | None:
    if len(node.args) != 2:
        return None
    function, iterable_node = node.args
    iterable = resolver.resolve(iterable_node, scope, env)
    elements = _elements(iterable) if iterable.exact else None
    if elements is None or len(elements) > MAX_ITEMS:
        return Value(origins=iterable.origins)
    if isinstance(function, ast.Lambda) and len(function.args.args) == 1:
        name = function.args.args[0].arg
        items = [
            resolver.resolve(function.body, scope, {**(env or {}), name: element}) for element in elements
        ]
    else:
        applied = resolver.resolve(function, scope, env).ref
        fold = _FOLDS.get(applied or "")
        if fold is None:
            return Value(origins=iterable.origins)
        items = []
        for element in elements:
            probe = ast.Call(func=_synthetic_name("_"), args=[_synthetic_name("_element")], keywords=[])
            result = fold(resolver, probe, scope, {**(env or {}), "_element": element}, Value(ref=applied))
            items.append(result or UNKNOWN)
    steps = iterable.steps + (items[0].steps if items else ())
    return Value(
        items=tuple(items), exact=all(item.exact for item in items), origins=iterable.origins, steps=steps
    )


def _fold_getattr(
    resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, callee: Value
) -> Value | None:
    if len(node.args) < 2:
        return None
    base = resolver.resolve(node.args[0], scope, env)
    name = resolver.resolve(node.args[1], scope, env)
    attribute = name.known_text
    if attribute is None:
        return Value(origins=base.origins)
    value = attribute_of(base, attribute)
    shown = base.ref or base.kind or "object"
    literal = isinstance(node.args[1], ast.Constant)
    route = (
        f"getattr({shown}, {name.shown(60)!r})"
        if literal
        else f"getattr({shown}, {_route(name, node.args[1]) or repr(name.shown(60))})"
    )
    return replace(value, evasive=base.evasive or route)


def _fold_import(
    resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, callee: Value
) -> Value | None:
    name = _first(resolver, node, scope, env)
    module = name.known_text
    if module is None:
        return Value(kind="module")
    fromlist = resolver.argument(node, 3, "fromlist", scope, env)
    if callee.ref == "builtins.__import__" and not (fromlist is not None and fromlist.items):
        module = module.split(".")[0]
    route = _route(name, node.args[0] if node.args else None)
    evasive = callee.evasive or (
        f"{(callee.ref or '').removeprefix('builtins.')}({route})" if route else None
    )
    return Value(ref=canonical(module), evasive=evasive)


def _fold_namespace(
    resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, callee: Value
) -> Value | None:
    if callee.ref == "builtins.vars" and node.args:
        target = _first(resolver, node, scope, env)
        return Value(ref=target.ref, kind="namespace")
    return Value(kind="namespace")


def _fold_compile(
    resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, callee: Value
) -> Value | None:
    source = _first(resolver, node, scope, env)
    return Value(wrapped=source, wrapper="code", origins=source.origins)


def _wrapping(wrapper: str) -> Fold:
    def fold(
        resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, callee: Value
    ) -> Value | None:
        inner = _first(resolver, node, scope, env)
        return Value(wrapped=inner, wrapper=wrapper, origins=inner.origins, text=None)

    return fold


def _unwrapping(wrapper: str) -> Fold:
    def fold(
        resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, callee: Value
    ) -> Value | None:
        outer = _first(resolver, node, scope, env)
        if outer.wrapper == wrapper and outer.wrapped is not None:
            return outer.wrapped
        return None

    return fold


def _fold_path(
    resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, callee: Value
) -> Value | None:
    parts = [resolver.resolve(a, scope, env) for a in node.args[:20]]
    if not parts:
        return Value(kind="pathlib.Path", text=".", exact=True)
    return lift(lambda *values: _join_paths(list(values), kind="pathlib.Path"), parts)


def _fold_os_join(
    resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, callee: Value
) -> Value | None:
    parts = [resolver.resolve(a, scope, env) for a in node.args[:20]]
    if not parts:
        return None
    if isinstance(node.func, ast.Attribute) and node.func.attr == "joinpath" and callee.bound is not None:
        parts = [callee.bound, *parts]
        return lift(lambda *values: _join_paths(list(values), kind="pathlib.Path"), parts)
    return lift(lambda *values: _join_paths(list(values)), parts)


def _fold_same_path(
    resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, callee: Value
) -> Value | None:
    value = _first(resolver, node, scope, env)
    return replace(value, ref=None, bound=None)


def _fold_dirname(
    resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, callee: Value
) -> Value | None:
    value = _first(resolver, node, scope, env)
    if value.text is None:
        return Value(origins=value.origins)
    if callee.ref == "os.path.basename":
        return replace(value, text=posixpath.basename(value.text), tree=None, many=False, kind=None)
    return replace(value, text=posixpath.dirname(value.text.rstrip("/")) or ".", many=False)


def _fold_home(
    resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, callee: Value
) -> Value | None:
    return Value(text="~", exact=True, kind="pathlib.Path" if callee.ref == "pathlib.Path.home" else None)


def _fold_cwd(
    resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, callee: Value
) -> Value | None:
    return Value(text=".", exact=True, kind="pathlib.Path" if callee.ref == "pathlib.Path.cwd" else None)


def _fold_getenv(
    resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, callee: Value
) -> Value | None:
    name = _first(resolver, node, scope, env)
    return _environment_variable(name)


def _fold_tempdir(
    resolver: Resolver, node: ast.Call, scope: Scope, env: dict[str, Value] | None, callee: Value
) -> Value | None:
    return text_value("/tmp")


_FOLDS: dict[str, Fold] = {
    "builtins.chr": _fold_chr,
    "builtins.unichr": _fold_chr,
    "builtins.ord": _fold_ord,
    "builtins.str": _fold_str,
    "builtins.bytes": _fold_bytes,
    "builtins.bytearray": _fold_bytes,
    "builtins.int": _fold_int,
    "builtins.reversed": _fold_reversed,
    "builtins.map": _fold_map,
    "builtins.getattr": _fold_getattr,
    "builtins.__import__": _fold_import,
    "importlib.import_module": _fold_import,
    "builtins.globals": _fold_namespace,
    "builtins.locals": _fold_namespace,
    "builtins.vars": _fold_namespace,
    "builtins.compile": _fold_compile,
    "bytes.fromhex": _fold_fromhex,
    "bytearray.fromhex": _fold_fromhex,
    "builtins.bytes.fromhex": _fold_fromhex,
    "builtins.bytearray.fromhex": _fold_fromhex,
    "codecs.decode": _fold_codecs,
    "codecs.encode": _fold_codecs,
    "base64.b64decode": _decoder("base64"),
    "base64.standard_b64decode": _decoder("base64"),
    "base64.decodebytes": _decoder("base64"),
    "base64.decodestring": _decoder("base64"),
    "base64.urlsafe_b64decode": _decoder("base64url"),
    "base64.b32decode": _decoder("base32"),
    "base64.b16decode": _decoder("hex"),
    "base64.b85decode": _decoder("base85"),
    "base64.a85decode": _decoder("ascii85"),
    "binascii.unhexlify": _decoder("hex"),
    "binascii.a2b_hex": _decoder("hex"),
    "binascii.a2b_base64": _decoder("base64"),
    "zlib.decompress": _decoder("zlib"),
    "gzip.decompress": _decoder("gzip"),
    "bz2.decompress": _decoder("bz2"),
    "lzma.decompress": _decoder("lzma"),
    "base64.b64encode": _encoder("base64"),
    "base64.standard_b64encode": _encoder("base64"),
    "base64.encodebytes": _encoder("base64"),
    "base64.b32encode": _encoder("base32"),
    "base64.b16encode": _encoder("hex"),
    "binascii.hexlify": _encoder("hex"),
    "zlib.compress": _encoder("zlib"),
    "gzip.compress": _encoder("gzip"),
    "bz2.compress": _encoder("bz2"),
    "lzma.compress": _encoder("lzma"),
    "pickle.dumps": _wrapping("pickle"),
    "pickle.loads": _unwrapping("pickle"),
    "marshal.dumps": _wrapping("marshal"),
    "marshal.loads": _unwrapping("marshal"),
    "json.dumps": None,  # type: ignore[dict-item]
    "pathlib.Path": _fold_path,
    "pathlib.Path.home": _fold_home,
    "pathlib.Path.cwd": _fold_cwd,
    "os.getcwd": _fold_cwd,
    "os.getcwdb": _fold_cwd,
    "os.path.join": _fold_os_join,
    "pathlib.Path.joinpath": _fold_os_join,
    "os.path.expanduser": _fold_same_path,
    "os.path.expandvars": _fold_same_path,
    "os.path.abspath": _fold_same_path,
    "os.path.realpath": _fold_same_path,
    "os.path.normpath": _fold_same_path,
    "os.fspath": _fold_same_path,
    "os.path.dirname": _fold_dirname,
    "os.path.basename": _fold_dirname,
    "os.getenv": _fold_getenv,
    "os.environ.get": _fold_getenv,
    "os.getenvb": _fold_getenv,
    "os.path.expanduser.__call__": _fold_same_path,
    "tempfile.gettempdir": _fold_tempdir,
}
del _FOLDS["json.dumps"]

_STRING_FOLDS: dict[
    str, Callable[[Resolver, ast.Call, Scope, dict[str, Value] | None, Value], Value | None]
] = {
    "join": _fold_join,
    "format": _fold_format,
    "replace": _fold_replace,
    "decode": _fold_decode,
    "encode": _fold_encode,
    "split": _fold_split,
    "get": _fold_get,
    **{method: _fold_case for method in _STRING_METHODS},
}

_KNOWN_PREFIXES = (
    "os.",
    "subprocess.",
    "socket.",
    "shutil.",
    "pty.",
    "pickle.",
    "marshal.",
    "base64.",
    "codecs.",
    "urllib.",
    "requests.",
    "ctypes.",
    "pathlib.",
    "http.",
    "ftplib.",
    "smtplib.",
)


def _is_known_name(qualname: str) -> bool:
    return (
        qualname in _FOLDS
        or qualname in _RESULT_KINDS
        or qualname in _NETWORK_RESULTS
        or qualname.startswith(_KNOWN_PREFIXES)
    )


def argument_node(call: ast.Call, position: int | None, keyword: str | None) -> ast.expr | None:
    if keyword is not None:
        for given in call.keywords:
            if given.arg == keyword:
                return given.value
    if position is not None and 0 <= position < len(call.args):
        node = call.args[position]
        if isinstance(node, ast.Starred):
            return None
        if any(isinstance(a, ast.Starred) for a in call.args[:position]):
            return None
        return node
    return None


def _pick(bindings: list[Binding], node: ast.expr, same_scope: bool) -> Binding | None:
    """The binding a use reads: the last one completed before it in the same scope, else the last one."""
    if not bindings:
        return None
    if same_scope:
        use = (node.lineno, node.col_offset)
        before = [b for b in bindings if _ends_before(b, use)]
        if before:
            return before[-1]
    return bindings[-1]


def _ends_before(binding: Binding, use: tuple[int, int]) -> bool:
    if binding.element:  # a loop header precedes its body
        return (binding.line, binding.column) < use
    value = binding.value
    end = (getattr(value, "end_lineno", None) or binding.line, getattr(value, "end_col_offset", None) or 0)
    return end <= use and (binding.line, binding.column) < use


_DISPATCH: dict[type, Callable[[Resolver, ast.expr, Scope, dict[str, Value] | None], Value]] = {
    ast.Constant: Resolver._constant,  # type: ignore[dict-item]
    ast.Name: Resolver._name,  # type: ignore[dict-item]
    ast.Attribute: Resolver._attribute,  # type: ignore[dict-item]
    ast.Subscript: Resolver._subscript,  # type: ignore[dict-item]
    ast.JoinedStr: Resolver._joined,  # type: ignore[dict-item]
    ast.BinOp: Resolver._binop,  # type: ignore[dict-item]
    ast.UnaryOp: Resolver._unary,  # type: ignore[dict-item]
    ast.List: Resolver._sequence,  # type: ignore[dict-item]
    ast.Tuple: Resolver._sequence,  # type: ignore[dict-item]
    ast.Set: Resolver._sequence,  # type: ignore[dict-item]
    ast.Dict: Resolver._dict,  # type: ignore[dict-item]
    ast.ListComp: Resolver._comprehension,  # type: ignore[dict-item]
    ast.GeneratorExp: Resolver._comprehension,  # type: ignore[dict-item]
    ast.SetComp: Resolver._comprehension,  # type: ignore[dict-item]
    ast.IfExp: Resolver._ifexp,  # type: ignore[dict-item]
    ast.BoolOp: Resolver._boolop,  # type: ignore[dict-item]
    ast.Call: Resolver._call,  # type: ignore[dict-item]
    ast.Starred: Resolver._passthrough,
    ast.Await: Resolver._passthrough,
    ast.FormattedValue: Resolver._passthrough,
    ast.NamedExpr: Resolver._named,  # type: ignore[dict-item]
}
