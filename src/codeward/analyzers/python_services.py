"""What a module does to services beyond this machine: databases, cloud accounts, other hosts.

Destructive SQL handed to a driver (`cursor.execute("DROP TABLE …")`), bucket, table and stack
deletions through cloud SDKs, and exploit payloads (shellcode, packed return addresses) sent to a
remote service are judged here from the calls that carry them.
"""

from __future__ import annotations

import ast
import re

from codeward.analyzers import targets
from codeward.analyzers.python_effects import Call, Scan
from codeward.model import Confidence, Severity

C, H, M = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM

SQL_METHODS = frozenset(
    {"execute", "executescript", "executemany", "exec_driver_sql", "execute_sql", "raw", "sql"}
)
"""Methods of database drivers, ORMs and Spark sessions that run the SQL text they are given."""
_SQL_DROP = re.compile(r"\bdrop\s+(database|schema|keyspace)(\s+if\s+exists)?(\s+[\w\"`.]+)?", re.I)
_SQL_TABLE = re.compile(r"\b(drop\s+table(\s+if\s+exists)?|truncate(\s+table)?)\s+[\w\"`.]+", re.I)
_SQL_DELETE_ALL = re.compile(r"\bdelete\s+from\s+[\w\"`.]+\s*(;|$)", re.I)

# method -> (rule, severity, what it destroys, the keyword that names it)
CLOUD_DESTROY: dict[str, tuple[str, Severity, str, str]] = {
    "delete_bucket": ("python.data.destroy", C, "deletes the bucket", "Bucket"),
    "delete_objects": ("python.data.destroy", H, "deletes objects of the bucket", "Bucket"),
    "delete_table": ("python.data.destroy", C, "deletes the table", "TableName"),
    "delete_db_instance": ("python.data.destroy", C, "deletes the database instance", "DBInstanceIdentifier"),
    "delete_db_cluster": ("python.data.destroy", C, "deletes the database cluster", "DBClusterIdentifier"),
    "drop_database": ("python.data.destroy", C, "drops the database", "name"),
    "flushall": ("python.data.destroy", C, "deletes every key of every database", ""),
    "flushdb": ("python.data.destroy", C, "deletes every key of the database", ""),
    "terminate_instances": ("python.infra.destroy", C, "terminates the instances", "InstanceIds"),
    "delete_stack": ("python.infra.destroy", C, "deletes the stack and what it created", "StackName"),
    "delete_namespace": ("python.infra.destroy", C, "deletes the namespace and everything in it", "name"),
    "delete_cluster": ("python.infra.destroy", C, "deletes the cluster", "name"),
}
_COLLECTIONS = frozenset({"objects", "object_versions", "multipart_uploads"})
"""boto3 resource collections: `bucket.objects.all().delete()` deletes every object they hold."""

PWN_SENDS = frozenset({"send", "sendline", "sendafter", "sendlineafter", "sendthen", "sendlinethen", "write"})
_PAYLOAD_BUILDERS = frozenset({"asm", "p8", "p16", "p32", "p64", "flat", "fit", "ROP"})
_NOP_SLED = re.compile(r"\x90{16,}")
_SHELLCODE_BYTES = re.compile(r"\x31\xc0\x50\x68|/bin//sh|//sh\x68")
_LOOPBACK = re.compile(r"^(localhost|127\.\d+\.\d+\.\d+|::1|0\.0\.0\.0)$")


# ---------------------------------------------------------------------------------------------- databases
def sql_execute(call: Call) -> None:
    for statement in _statements(call):
        finding = destructive_sql(statement)
        if finding is None:
            continue
        target, severity, detail = finding
        call.report("python.data.destroy", target=target, severity=severity, detail=detail)
        return


def _statements(call: Call) -> list[str]:
    node = call.arg_node(0, "sql") or call.arg_node(0, "statement") or call.arg_node(0, "sqlQuery")
    if node is None:
        return []
    value = call.arg(0, "sql") or call.arg(0, "statement") or call.arg(0, "sqlQuery")
    if (value is None or value.text is None) and isinstance(node, ast.Call) and node.args:
        # `text("…")`, `sql.SQL("…")`: a wrapper around the statement
        value = call.scan.resolver.argument(node, 0, None, call.scope, None)
    if value is None:
        return []
    return [v.text for v in value.candidates() if v.text]


def destructive_sql(statement: str) -> tuple[str, Severity, str] | None:
    """(target, severity, detail) when running `statement` destroys data, else None."""
    text = statement[:20000]
    match = _SQL_DROP.search(text)
    if match:
        return match.group(0), C, "the database and all its tables are gone"
    match = _SQL_TABLE.search(text)
    if match:
        return match.group(0), H, "the table's rows are gone"
    match = _SQL_DELETE_ALL.search(text.strip())
    if match:
        return match.group(0).rstrip(";").strip(), M, "DELETE without WHERE empties the table"
    return None


# ---------------------------------------------------------------------------------------------- cloud
def cloud_destroy(call: Call) -> None:
    method = call.qualname.rsplit(".", 1)[-1]
    rule, severity, what, keyword = CLOUD_DESTROY[method]
    named = call.arg(0, keyword) if keyword else None
    if method in ("delete_namespace", "drop_database", "delete_cluster") and named is None:
        return  # a namespace, database or cluster must be named: anything else is another API
    target = named.shown(80) if named is not None and (named.text or named.items) else method
    if named is not None and named.items:
        target = ", ".join(item.shown(40) for item in named.items[:5])
    call.report(rule, target=target, severity=severity, detail=what)


def collection_delete(call: Call) -> None:
    """`bucket.objects.all().delete()` empties a boto3 bucket; `Model.objects.all().delete()` a table."""
    chain = _receiver_chain(call.node.func)
    if not _COLLECTIONS & set(chain):
        return
    filtered = "filter" in chain or "exclude" in chain or "get" in chain
    bucket = _bucket(call)
    if bucket is not None:
        prefixed = any(_filtered_by_prefix(node) for node in ast.walk(call.node.func))
        call.report(
            "python.data.destroy",
            target=f"s3://{bucket}" if bucket else "an S3 bucket",
            severity=H if prefixed else C,
            detail="deletes the objects under a prefix" if prefixed else "deletes every object in the bucket",
        )
    elif "objects" in chain and "all" in chain and not filtered:
        model = chain[-1]
        call.report(
            "python.data.destroy",
            target=model,
            severity=M,
            detail=f"deletes every row of {model} (an unfiltered ORM delete)",
        )


def _bucket(call: Call) -> str | None:
    """The bucket's name ('' when unknown) when the collection belongs to a boto3 bucket, else None."""
    node: ast.expr = call.node.func
    while isinstance(node, ast.Attribute | ast.Call):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute) and node.func.attr == "Bucket":
                value = call.scan.resolver.argument(node, 0, "name", call.scope, None)
                return value.text if value is not None and value.text else ""
            node = node.func
        else:
            node = node.value
    root = call.scan.resolver.resolve(node, call.scope)
    if root.kind == "s3.Bucket":
        return root.text or ""
    return None


def _receiver_chain(node: ast.expr) -> list[str]:
    names = []
    while True:
        if isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        else:
            if isinstance(node, ast.Name):
                names.append(node.id)
            return names


def _filtered_by_prefix(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "filter"
        and any(k.arg == "Prefix" for k in node.keywords)
    )


# ---------------------------------------------------------------------------------------------- exploits
def pwn_remote(call: Call) -> None:
    host = call.arg(0, "host")
    port = call.arg(1, "port")
    shown = host.shown(80) if host is not None else "?"
    if port is not None and port.number is not None:
        shown = f"{shown}:{port.number}"
    call.fact("pwn_remote", host, note=shown)


def pwn_send(call: Call) -> None:
    call.fact("exploit_send", call.arg(0), note=call.qualname)


def exploits(scan: Scan) -> None:
    """A payload built from shellcode or packed addresses and sent to a remote service."""
    remotes = [f for f in scan.of("pwn_remote") if not _LOOPBACK.match(f.note.rsplit(":", 1)[0])]
    raw_sends = [f for f in scan.of("send") if f.note and not _LOOPBACK.match(f.note.rsplit(":", 1)[0])]
    if not (remotes and scan.of("exploit_send")) and not raw_sends:
        return
    builders = [site.line for site in scan.index.calls if _builds_payload(site.node)]
    blobs = _shellcode_lines(scan)
    ends = []
    if remotes and scan.of("exploit_send") and (builders or blobs):
        ends.append((remotes[0], (builders or blobs)[0], bool(builders)))
    if raw_sends and blobs:
        ends.append((raw_sends[0], blobs[0], False))
    for end, evidence_line, built in ends:
        scan.report(
            "python.net.exploit",
            sorted({end.line, evidence_line}),
            scan.index.line_text(evidence_line),
            target=end.note,
            scope=targets.REMOTE,
            confidence=Confidence.HIGH if built else Confidence.MEDIUM,
            detail=f"sends a payload built from shellcode or packed addresses to {end.note}",
        )


def _builds_payload(node: ast.Call) -> bool:
    func = node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "shellcraft":
        return True
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Attribute):
        chain = _receiver_chain(func)
        if "shellcraft" in chain:
            return True
    name = func.id if isinstance(func, ast.Name) else None
    return name in _PAYLOAD_BUILDERS and bool(node.args)


def _is_shellcode(text: str) -> bool:
    return bool(_NOP_SLED.search(text) or _SHELLCODE_BYTES.search(text))


def _shellcode_lines(scan: Scan) -> list[int]:
    """Lines with machine code in literals: a NOP sled (`b"\\x90" * 64` too) or execve shellcode."""
    lines = []
    for node in (n for statement in scan.index.body for n in ast.walk(statement)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
            text = node.value if isinstance(node.value, str) else node.value.decode("latin-1")
            if _is_shellcode(text):
                lines.append(node.lineno)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            pair = (node.left, node.right)
            sled = any(isinstance(n, ast.Constant) and n.value in (b"\x90", "\x90") for n in pair)
            count = any(
                isinstance(n, ast.Constant) and isinstance(n.value, int) and n.value >= 16 for n in pair
            )
            if sled and count:
                lines.append(node.lineno)
    return sorted(set(lines))
