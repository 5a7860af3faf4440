"""Programs that move text along a pipeline or run it: echo, readers, decoders, shells, interpreters, xargs.

`echo aGk= | base64 -d | sh` is followed stage by stage: the literal, then the decoded text, then a
shell that runs it. Text that is only printed stays text; text that reaches a shell, `eval` or an
interpreter is judged as code (nested shell code is walked in place, other languages become payloads).
"""

from __future__ import annotations

import base64
import binascii
import posixpath
import re
from collections.abc import Callable
from dataclasses import replace

from codeward.analyzers import targets
from codeward.analyzers.decoding import unwrap
from codeward.analyzers.shell_files import read_all
from codeward.analyzers.shell_network import http_server, pip, remote_shell, send
from codeward.analyzers.shell_programs import INTERPRETERS, Call, Scan, parse_options
from codeward.analyzers.shell_words import (
    ENDLESS,
    ENDLESS_DEVICES,
    ENVIRONMENT,
    NOTHING,
    PATHS,
    SHELL_OUTPUT,
    Stream,
    Taint,
    Value,
    decode_ansi_c,
    literal,
)
from codeward.model import Confidence

_MAX_ITEMS = 4
"""How many items from xargs or a literal list are followed one by one; beyond that, one unknown item."""


# ---------------------------------------------------------------------------------------------- producers
_ECHO_OPTIONS = re.compile(r"-[neE]+")


def echo(scan: Scan, call: Call) -> Stream:
    args = call.args
    interpret = False
    while args and args[0].known and args[0].text[:1] == "-" and _ECHO_OPTIONS.fullmatch(args[0].text):
        interpret = interpret or "e" in args[0].text
        args = args[1:]
    text = " ".join(value.text for value in args)
    decoded = tuple(step for value in args for step in value.decoded)
    if interpret:
        text, hidden = decode_ansi_c(text)
        if hidden:
            decoded += ("echo -e escapes",)
    taints = frozenset().union(*(value.taints for value in args)) if args else frozenset()
    known = all(value.known for value in args)
    return Stream(taints, text + "\n" if known else None, decoded)


def yes(scan: Scan, call: Call) -> Stream:
    """yes prints its line until whatever reads it stops: `yes | apt-get install` and `yes | head` end,
    `yes > file` fills the disk and `yes > /dev/null &` keeps a CPU busy (the walk judges where it goes)."""
    return Stream(frozenset({Taint(ENDLESS, "yes")}))


_CONVERSION = re.compile(r"%([-+ #0]*[0-9*]*(?:\.[0-9*]*)?)([sbdiouxXcfeEgGq%])")


def printf(scan: Scan, call: Call) -> Stream:
    args = call.args
    if args and args[0].text == "-v" and len(args) > 2:
        args = args[2:]
    if not args:
        return NOTHING
    template, rest = args[0], list(args[1:])
    out: list[str] = []
    hidden = False
    position = 0
    for match in _CONVERSION.finditer(template.text):
        segment, escaped = decode_ansi_c(template.text[position : match.start()], printf=True)
        out.append(segment)
        hidden = hidden or escaped
        position = match.end()
        if match.group(2) == "%":
            out.append("%")
            continue
        argument = rest.pop(0).text if rest else ""
        if match.group(2) == "b":
            argument, escaped = decode_ansi_c(argument, printf=True)
            hidden = hidden or escaped
        out.append(argument)
    segment, escaped = decode_ansi_c(template.text[position:], printf=True)
    out.append(segment)
    hidden = hidden or escaped
    taints = frozenset().union(*(value.taints for value in args))
    known = all(value.known for value in args)
    decoded = tuple(step for value in args for step in value.decoded) + (
        ("printf escapes",) if hidden else ()
    )
    return Stream(taints, "".join(out) if known else None, decoded)


def mktemp(scan: Scan, call: Call) -> Stream:
    """mktemp prints a fresh path in the temporary folder (or under -p DIR): `rm -rf "$(mktemp -d)"` is harmless."""
    parsed = parse_options(call.args, frozenset({"-p", "--tmpdir", "--suffix"}))
    folder = parsed.get("-p", "--tmpdir")
    base = folder.text if folder is not None and folder.known else "/tmp"
    if folder is not None and not folder.known:
        return NOTHING
    return Stream(content=f"{base.rstrip('/')}/tmp.XXXXXXXXXX\n")


def printenv(scan: Scan, call: Call) -> Stream:
    if call.args:
        return NOTHING
    return Stream(frozenset({Taint(ENVIRONMENT, "the environment")}))


# ---------------------------------------------------------------------------------------------- readers and filters
_READER_VALUED: dict[str, frozenset[str]] = {
    "head": frozenset({"-n", "-c", "--lines", "--bytes"}),
    "tail": frozenset({"-n", "-c", "--lines", "--bytes", "-s", "--pid"}),
    "cut": frozenset({"-d", "-f", "-c", "-b", "--delimiter", "--fields"}),
    "sort": frozenset({"-k", "-t", "-o", "-S", "-T", "--key", "--output"}),
    "uniq": frozenset({"-f", "-s", "-w"}),
    "xxd": frozenset({"-l", "-s", "-c", "-g", "-o", "-n"}),
    "od": frozenset({"-A", "-t", "-N", "-j", "-w"}),
    "hexdump": frozenset({"-n", "-s", "-e", "-f"}),
    "base64": frozenset({"-w", "--wrap"}),
    "base32": frozenset({"-w", "--wrap"}),
    "nl": frozenset({"-b", "-w", "-s", "-v", "-i"}),
    "fold": frozenset({"-w", "--width"}),
    "column": frozenset({"-s", "-o", "-c", "-t"}),
    "less": frozenset({"-x", "-y", "-b", "-h", "-j", "-p", "-P", "-z"}),
    "strings": frozenset({"-n", "-t", "-e"}),
    "jq": frozenset({"--arg", "--argjson", "--slurpfile", "--rawfile", "--indent"}),
    "iconv": frozenset({"-f", "-t", "--from-code", "--to-code", "-o"}),
    "gzip": frozenset({"-S", "--suffix"}),
}
_KEEPS_TEXT = frozenset({"cat", "tac", "less", "more", "tee"})


def reader(scan: Scan, call: Call) -> Stream:
    """cat, head, base64, xxd, …: output what their files hold (credentials included) or what came in."""
    parsed = parse_options(call.args, _READER_VALUED.get(call.program, frozenset()))
    operands = parsed.operands
    if call.program in ("jq", "yq") and operands:
        operands = operands[1:]
    files = [value for value in operands if value.text != "-"]
    if not files:
        return call.stdin if call.program in _KEEPS_TEXT else Stream(call.stdin.taints)
    stream = read_all(scan, call, files)
    if call.program == "cat":
        device = next((value.text for value in files if value.text in ENDLESS_DEVICES), None)
        if device is not None:
            stream = stream.union(Stream(frozenset({Taint(ENDLESS, f"cat {device}")})))
    if len(files) < len(operands):
        stream = stream.union(call.stdin)
    if call.program == "cat" and len(files) == 1:
        return stream
    return Stream(stream.taints)


def grep(scan: Scan, call: Call) -> Stream:
    valued = frozenset(
        {"-e", "-f", "-m", "-A", "-B", "-C", "-d", "-D", "--regexp", "--file", "--max-count", "--label"}
    )
    parsed = parse_options(call.args, valued)
    operands = parsed.operands
    if not parsed.has("-e", "-f", "--regexp", "--file") and operands:
        operands = operands[1:]
    if not operands and parsed.has("-r", "-R", "--recursive"):
        operands = [literal(".")]
    if not operands:
        return Stream(call.stdin.taints)
    return Stream(read_all(scan, call, operands).taints | call.stdin.taints)


_INET = re.compile(r"/inet/(tcp|udp)/\d+/([\w.-]+)/(\d+)")
_AWK_SYSTEM = re.compile(r"system\(\s*\"([^\"\\]{1,2000})\"\s*\)")


def awk(scan: Scan, call: Call) -> Stream:
    parsed = parse_options(
        call.args, frozenset({"-F", "-v", "-f", "-W", "--field-separator", "--assign", "--file"})
    )
    operands = parsed.operands
    program = ""
    if not parsed.has("-f", "--file") and operands:
        program, operands = operands[0].text[:20000], operands[1:]
    socket = _INET.search(program)
    if socket:
        host = f"{socket.group(2)}:{socket.group(3)}"
        if "|&" in program and ("getline" in program or "system" in program):
            remote_shell(
                scan, call, host, listening=socket.group(2) == "0", runs="awk (running what it reads)"
            )
        else:
            scan.report("bash.net.raw_connect", call, target=host, scope=targets.REMOTE)
    for command in _AWK_SYSTEM.finditer(program):
        scan.run_code(call, literal(command.group(1)), "bash", "awk system()")
    files = read_all(scan, call, operands) if operands else NOTHING
    return Stream(files.taints | call.stdin.taints)


def archive(scan: Scan, call: Call) -> Stream:
    """tar c and zip read the files they pack; packed to stdout (`tar czf - ~/.ssh`) the data flows on."""
    args = list(call.args)
    if call.program == "tar" and args and args[0].known and args[0].text.isalpha():
        args[0] = args[0].with_text("-" + args[0].text)
    valued = frozenset(
        {
            "-f",
            "--file",
            "-C",
            "--directory",
            "-T",
            "--files-from",
            "-X",
            "--exclude-from",
            "-I",
            "-b",
            "-H",
            "-g",
        }
    )
    parsed = parse_options(args, valued)
    if call.program == "tar":
        if not parsed.has("-c", "--create", "-r", "--append", "-u", "--update"):
            return NOTHING
        packed = read_all(scan, call, parsed.operands)
        output = parsed.get("-f", "--file")
        return Stream(packed.taints) if output is None or output.text == "-" else NOTHING
    operands = parsed.operands
    if len(operands) < 2:
        return NOTHING
    packed = read_all(scan, call, operands[1:])
    return Stream(packed.taints) if operands[0].text == "-" else NOTHING


# ---------------------------------------------------------------------------------------------- decoders
def _decode(call: Call, stream: Stream, encoding: str) -> Stream:
    content = stream.content
    if content is None:
        return Stream(stream.taints, None, (*stream.decoded, encoding))
    if encoding == "rev":
        return Stream(
            stream.taints, "\n".join(line[::-1] for line in content.split("\n")), (*stream.decoded, "rev")
        )
    if encoding in ("gzip", "bz2", "lzma", "zstd"):
        if encoding in stream.decoded:
            return stream
        return Stream(stream.taints, None, (*stream.decoded, encoding))
    single = unwrap(content, first=encoding, depth=0)
    result = single if single is not None else unwrap(content, first=encoding)
    if result is None:
        return Stream(stream.taints, None, (*stream.decoded, encoding))
    return Stream(stream.taints, result.content, (*stream.decoded, *result.origin.split(" -> ")))


def base64_tool(scan: Scan, call: Call) -> Stream:
    if not any(v.text in ("-d", "--decode", "-D", "-di", "-id") for v in call.args):
        return reader(scan, call)
    files = [v for v in call.args if not v.text.startswith("-")]
    source = read_all(scan, call, files) if files else call.stdin
    return _decode(call, source, "base32" if call.program == "base32" else "base64")


def xxd(scan: Scan, call: Call) -> Stream:
    if not any(v.text.startswith("-r") or v.text == "--revert" for v in call.args):
        return reader(scan, call)
    return _decode(call, call.stdin, "hex")


def rev(scan: Scan, call: Call) -> Stream:
    files = [v for v in call.args if not v.text.startswith("-")]
    if files:
        return Stream(read_all(scan, call, files).taints, None, ("rev",))
    return _decode(call, call.stdin, "rev")


_ROT13 = {("a-za-z", "n-za-mn-za-m"), ("[a-za-z]", "[n-za-mn-za-m]")}


def tr(scan: Scan, call: Call) -> Stream:
    sets = [v.text for v in call.args if not v.text.startswith("-")]
    if len(sets) == 2 and (sets[0].lower(), sets[1].lower()) in _ROT13:
        return _decode(call, call.stdin, "rot13")
    flags = "".join(v.text for v in call.args if v.text.startswith("-"))
    content = call.stdin.content
    if content is not None and "d" in flags and len(sets) == 1 and "-" not in sets[0].strip("-"):
        removed, _ = decode_ansi_c(sets[0])
        return Stream(
            call.stdin.taints, "".join(ch for ch in content if ch not in removed), call.stdin.decoded
        )
    return Stream(call.stdin.taints)


_DECOMPRESSORS = {
    "gunzip": "gzip",
    "zcat": "gzip",
    "bunzip2": "bz2",
    "bzcat": "bz2",
    "unxz": "lzma",
    "xzcat": "lzma",
    "unzstd": "zstd",
    "zstdcat": "zstd",
}
_COMPRESSORS = {"gzip": "gzip", "bzip2": "bz2", "xz": "lzma", "zstd": "zstd"}


def compression(scan: Scan, call: Call) -> Stream:
    decompressing = call.program in _DECOMPRESSORS or any(
        v.text in ("-d", "--decompress", "-dc", "-cd") for v in call.args
    )
    encoding = _DECOMPRESSORS.get(call.program) or _COMPRESSORS.get(call.program, "gzip")
    if not decompressing:
        return reader(scan, call)
    return _decode(call, call.stdin, encoding)


# ---------------------------------------------------------------------------------------------- running code
def run_file(scan: Scan, call: Call, value: Value, language: str) -> None:
    """A script file is run: judge it when it was downloaded earlier or comes from a process substitution."""
    if value.file is not None:
        scan.run_code(call, value.file, language, f"{call.program} <(…)")
        return
    if value.text in ("/dev/stdin", "-"):
        scan.run_code(call, call.stdin, language, f"input of {call.program}")
        return
    path = scan.absolute(value)
    url = scan.downloaded_from(path.text)
    if url is not None:
        scan.report(
            "bash.exec.remote_code",
            call,
            target=url,
            scope=targets.remote_scope(url),
            detail=f"runs {path.shown}, downloaded from {url} earlier in the script, without anyone reading it",
        )


def _forks_itself(call: Call, value: Value) -> bool:
    in_pipeline = (
        call.node is not None and call.node.parent is not None and call.node.parent.type == "pipeline"
    )
    return value.raw.strip("\"'") in ("$0", "${0}") and (call.background or in_pipeline)


def shell(scan: Scan, call: Call) -> Stream:
    """sh, bash, zsh, …: run a `-c` string, a script file, or whatever arrives on standard input."""
    args = call.args
    command_mode = stdin_mode = interactive = False
    index = 0
    while index < len(args):
        value = args[index]
        text = value.text
        if text == "--" or text == "-":
            index += 1
            stdin_mode = stdin_mode or text == "-"
            break
        if text in ("-o", "+o", "-O", "+O", "--rcfile", "--init-file"):
            index += 2
            continue
        if text.startswith("--"):
            index += 1
            continue
        if value.known and len(text) > 1 and text[0] in "-+":
            letters = text[1:]
            command_mode = command_mode or "c" in letters
            stdin_mode = stdin_mode or "s" in letters
            interactive = interactive or "i" in letters
            index += 1
            continue
        break
    operands = args[index:]
    if len(operands) == 1 and operands[0].text.isdigit():
        operands = []  # `sh 0</tmp/f`: the descriptor of a redirection the grammar split off, not a script
    socket = call.socket_in or call.socket_out
    if socket is not None:
        remote_shell(
            scan,
            call,
            socket,
            listening=socket.startswith(":"),
            runs=f"{call.program}{' -i' if interactive else ''}",
        )
        return NOTHING
    if command_mode and operands:
        scan.run_code(call, operands[0], "bash", f"{call.program} -c")
        return NOTHING
    if operands and not stdin_mode:
        if _forks_itself(call, operands[0]):
            fork_bomb(
                scan, call, f"{call.program} $0 starts the script again, in the background, from itself"
            )
        run_file(scan, call, operands[0], "bash")
        return NOTHING
    if call.stdin.content is not None or call.stdin.taints:
        scan.run_code(call, call.stdin, "bash", f"input of {call.program}")
    return Stream(frozenset({Taint(SHELL_OUTPUT, call.program)}))


def fork_bomb(scan: Scan, call: Call, detail: str, confidence: Confidence = Confidence.MEDIUM) -> None:
    scan.report(
        "bash.sys.fork_bomb", call, target=call.program or "a loop", confidence=confidence, detail=detail
    )


def interpreter(scan: Scan, call: Call) -> Stream:
    """python -c, node -e, perl -e, …: the inline code becomes a payload for that language's analyzer."""
    language, code_flags = INTERPRETERS[call.program]
    args = call.args
    windows = call.program in ("pwsh", "powershell")
    index = 0
    while index < len(args):
        value = args[index]
        text = value.text.lower() if windows else value.text
        if text in code_flags or (
            not windows and len(text) > 2 and text[:2] in code_flags
        ):  # -c'print(1)': the code joined to its flag
            code = (
                args[index + 1]
                if text in code_flags and index + 1 < len(args)
                else value.with_text(value.text[2:])
            )
            scan.run_code(
                call,
                code,
                language,
                f"{call.program} {value.text[:2] if text not in code_flags else value.text}",
            )
            return NOTHING
        if (
            windows
            and text in ("-encodedcommand", "-enc", "-e", "-ec", "-en", "-encoded")
            and index + 1 < len(args)
        ):
            _encoded_powershell(scan, call, args[index + 1])
            return NOTHING
        if call.program == "python" and text == "-m" and index + 1 < len(args):
            return _python_module(scan, call, args[index + 1].text, args[index + 2 :])
        if text in ("-W", "-X", "-I", "-r", "--require", "-M"):
            index += 2
            continue
        if text.startswith("-") and text != "-":
            index += 1
            continue
        if text == "-":
            break
        run_file(scan, call, value, language)
        return NOTHING
    if call.stdin.content is not None or call.stdin.taints:
        scan.run_code(call, call.stdin, language, f"input of {call.program}")
    return NOTHING


def _python_module(scan: Scan, call: Call, module: str, rest: list[Value]) -> Stream:
    if module in ("pip", "pip3"):
        return pip(scan, replace(call, program="pip", args=rest))
    if module in ("http.server", "SimpleHTTPServer"):
        ports = [v.text for v in rest if v.text.isdigit()]
        http_server(scan, call, ports[0] if ports else "8000")
    return NOTHING


def _encoded_powershell(scan: Scan, call: Call, value: Value) -> None:
    try:
        text = base64.b64decode(value.text + "=" * (-len(value.text) % 4)).decode("utf-16-le")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        scan.run_code(
            call, Stream(value.taints, None, ("base64",)), "powershell", "powershell -EncodedCommand"
        )
        return
    scan.run_code(
        call, Stream(value.taints, text, ("base64", "utf-16")), "powershell", "powershell -EncodedCommand"
    )


def _joined(values: list[Value]) -> Value:
    text = " ".join(value.text for value in values)
    return Value(
        text=text,
        raw=" ".join(value.raw for value in values),
        known=all(value.known for value in values),
        taints=frozenset().union(*(value.taints for value in values)) if values else frozenset(),
        decoded=tuple(step for value in values for step in value.decoded),
    )


def eval_builtin(scan: Scan, call: Call) -> Stream:
    if call.args:
        scan.run_code(call, _joined(call.args), "bash", "eval")
    return NOTHING


def source(scan: Scan, call: Call) -> Stream:
    if call.args:
        run_file(scan, call, call.args[0], "bash")
    return NOTHING


def alias(scan: Scan, call: Call) -> Stream:
    """An alias body runs whenever the name is typed: it is judged as code."""
    for value in call.args:
        name, equals, body = value.text.partition("=")
        if equals and value.known and body:
            scan.run_code(call, value.with_text(body), "bash", f"alias {name}")
    return NOTHING


def trap(scan: Scan, call: Call) -> Stream:
    if call.args and call.args[0].text not in ("-l", "-p", "-", ""):
        scan.run_code(call, call.args[0], "bash", "trap")
    return NOTHING


def command_string(scan: Scan, call: Call) -> Stream:
    """su -c, runuser -c, script -c, sg -c, flock -c: the string is a command line."""
    valued = frozenset(
        {"-c", "--command", "-s", "--shell", "-g", "-G", "-w", "-u", "-l", "-E", "--timeout", "-q"}
    )
    parsed = parse_options(call.args, valued)
    command = parsed.get("-c", "--command")
    if command is not None:
        scan.run_code(call, command, "bash", f"{call.program} -c")
    elif call.program in ("flock", "sg") and len(parsed.operands) > 1:
        return scan.run_argv(call, parsed.operands[1:], call.program)
    return NOTHING


def watch(scan: Scan, call: Call) -> Stream:
    parsed = parse_options(
        call.args, frozenset({"-n", "--interval", "-q", "--equexit"}), stop_at_operand=True
    )
    if parsed.operands:
        scan.run_code(call, _joined(parsed.operands), "bash", "watch")
    return NOTHING


def _items(stream: Stream) -> list[Value]:
    if stream.content is not None:
        words = stream.content.split()
        return [literal(word) for word in words[:_MAX_ITEMS]]
    paths = [t for t in stream.taints if t.kind == PATHS]
    if paths:
        return [Value(text=t.detail, raw=t.detail, tree=True, filter=t.filter) for t in paths[:_MAX_ITEMS]]
    return [Value(text="$ITEM", raw="(items read from input)", known=False, taints=stream.taints)]


def _substitute_item(argv: list[Value], token: str, item: Value) -> list[Value]:
    out = []
    for part in argv:
        if part.text == token:
            out.append(item)
        elif token in part.text:
            out.append(
                replace(part, text=part.text.replace(token, item.text), known=part.known and item.known)
            )
        else:
            out.append(part)
    return out


def xargs(scan: Scan, call: Call) -> Stream:
    valued = frozenset(
        {
            "-I",
            "-n",
            "-L",
            "-P",
            "-s",
            "-d",
            "-E",
            "-a",
            "--max-args",
            "--max-lines",
            "--max-procs",
            "--delimiter",
            "--arg-file",
            "--eof",
        }
    )
    parsed = parse_options(call.args, valued, stop_at_operand=True)
    command = parsed.operands or [literal("echo")]
    token = parsed.get("-I")
    replace_token = token.text if token is not None else ("{}" if parsed.has("-i", "--replace") else None)
    items = _items(call.stdin)
    out = NOTHING
    if replace_token is None:
        return scan.run_argv(call, [*command, *items], "xargs")
    for item in items:
        out = out.union(scan.run_argv(call, _substitute_item(command, replace_token, item), "xargs"))
    return out


def parallel(scan: Scan, call: Call) -> Stream:
    texts = [v.text for v in call.args]
    split = next((i for i, t in enumerate(texts) if t in (":::", "::::")), len(texts))
    parsed = parse_options(
        call.args[:split],
        frozenset({"-j", "-P", "-N", "-n", "-L", "-S", "--joblog", "--jobs"}),
        stop_at_operand=True,
    )
    command = parsed.operands
    items = [v for v in call.args[split + 1 :] if v.text not in (":::", "::::")][:_MAX_ITEMS] or _items(
        call.stdin
    )
    if not command:
        return NOTHING
    out = NOTHING
    for item in items:
        argv = (
            _substitute_item(command, "{}", item)
            if any("{}" in p.text for p in command)
            else [*command, item]
        )
        out = out.union(scan.run_argv(call, argv, "parallel"))
    return out


def read(scan: Scan, call: Call) -> Stream:
    parsed = parse_options(call.args, frozenset({"-a", "-d", "-n", "-N", "-p", "-t", "-u", "-i"}))
    names = [v.text for v in parsed.operands if v.known] or ["REPLY"]
    array = parsed.get("-a")
    if array is not None:
        names = [array.text]
    content = call.stdin.content
    parts = (
        content.split("\n", 1)[0].split(None, len(names) - 1) if content is not None and array is None else []
    )
    for index, name in enumerate(names):
        if index < len(parts):
            scan.assign(name, Value(text=parts[index], raw=parts[index], taints=call.stdin.taints))
        else:
            scan.assign(name, Value(text=f"${name}", raw=f"${name}", known=False, taints=call.stdin.taints))
    return NOTHING


def cd(scan: Scan, call: Call) -> Stream:
    operands = [v for v in call.args if not (v.text.startswith("-") and v.text != "-")]
    target = operands[0] if operands else literal("~")
    if not target.known or target.text == "-":
        scan.assign("PWD", Value(text="$PWD", raw=target.raw, known=False))
        return NOTHING
    text = target.text
    current = scan.variable("PWD")
    if not text.startswith(("/", "~", "$")) and current is not None:
        if not current.known:
            scan.assign("PWD", Value(text="$PWD", raw=target.raw, known=False))
            return NOTHING
        text = posixpath.join(current.text, text)
    scan.assign("PWD", literal(targets.normalise(text) or "/"))
    return NOTHING


def exfiltrating_stdin(scan: Scan, call: Call) -> Stream:
    """Programs that only send what they are given (a pastebin client, `nc`-like tools handled elsewhere)."""
    if call.stdin.taints:
        send(scan, call, call.program, call.stdin.taints)
    return NOTHING


StreamHandler = Callable[[Scan, Call], Stream]

HANDLERS: dict[str, StreamHandler] = {
    "echo": echo,
    "yes": yes,
    "printf": printf,
    "printenv": printenv,
    "mktemp": mktemp,
    "cat": reader,
    "tac": reader,
    "less": reader,
    "more": reader,
    "head": reader,
    "tail": reader,
    "nl": reader,
    "strings": reader,
    "od": reader,
    "hexdump": reader,
    "sort": reader,
    "uniq": reader,
    "cut": reader,
    "column": reader,
    "fold": reader,
    "jq": reader,
    "yq": reader,
    "iconv": reader,
    "vim": reader,
    "vi": reader,
    "view": reader,
    "nano": reader,
    "emacs": reader,
    "diff": reader,
    "grep": grep,
    "egrep": grep,
    "fgrep": grep,
    "rg": grep,
    "zgrep": grep,
    "awk": awk,
    "gawk": awk,
    "mawk": awk,
    "nawk": awk,
    "tar": archive,
    "zip": archive,
    "base64": base64_tool,
    "base32": base64_tool,
    "xxd": xxd,
    "rev": rev,
    "tr": tr,
    "gzip": compression,
    "gunzip": compression,
    "zcat": compression,
    "bzip2": compression,
    "bunzip2": compression,
    "bzcat": compression,
    "xz": compression,
    "unxz": compression,
    "xzcat": compression,
    "zstd": compression,
    "unzstd": compression,
    "zstdcat": compression,
    "eval": eval_builtin,
    "source": source,
    ".": source,
    "alias": alias,
    "trap": trap,
    "su": command_string,
    "runuser": command_string,
    "script": command_string,
    "sg": command_string,
    "flock": command_string,
    "watch": watch,
    "xargs": xargs,
    "parallel": parallel,
    "read": read,
    "cd": cd,
    "pushd": cd,
    "pastebinit": exfiltrating_stdin,
}
