"""The sandbox's parts that need no sandbox: the strace reader, the audit channel, the seccomp filter, decoys."""

from __future__ import annotations

import dataclasses
import struct
from pathlib import Path

import pytest

from codeward.errors import SandboxUnavailable
from codeward.sandbox import Sandbox, seccomp
from codeward.sandbox.decoys import canaries, project_decoys
from codeward.sandbox.tracers import strace
from codeward.sandbox.tracers.audit import AuditStream


def trace(tmp_path: Path, lines: list[str], pid: int = 4242) -> list[tuple[str, tuple[str, ...], str]]:
    (tmp_path / f"t.{pid}").write_text("\n".join(lines) + "\n")
    return [(o.name, o.args, o.result) for o in strace.read_traces(str(tmp_path), "t", default_cwd="/work")]


def test_strace_lines_become_observations_with_resolved_paths(tmp_path: Path) -> None:
    seen = trace(
        tmp_path,
        [
            'execve("/usr/bin/rm", ["rm", "-rf", "./build"], 0x7ffd /* 9 vars */) = 0',
            'unlinkat(AT_FDCWD</work>, "build/a.o", 0) = 0',
            'unlinkat(3</work/build>, "sub", AT_REMOVEDIR) = -1 ENOTEMPTY (Directory not empty)',
            'openat(AT_FDCWD</work>, "/root/.ssh/id_rsa", O_RDONLY) = 3</root/.ssh/id_rsa>',
            'connect(3<socket:[1]>, {sa_family=AF_INET, sin_port=htons(4444), sin_addr=inet_addr("203.0.113.9")}, 16)'
            " = -1 ENETUNREACH (Network is unreachable)",
            'connect(3<socket:[2]>, {sa_family=AF_UNIX, sun_path=@"dbus-x"}, 9) = -1 ECONNREFUSED (Connection refused)',
            "ptrace(PTRACE_ATTACH, 1) = -1 EPERM (Operation not permitted)",
            "+++ exited with 0 +++",
        ],
    )
    assert seen == [
        ("exec", ("rm", "-rf", "./build"), "ok"),
        ("delete", ("/work/build/a.o",), "ok"),
        ("rmdir", ("/work/build/sub",), "ENOTEMPTY"),
        ("read", ("/root/.ssh/id_rsa",), "ok"),
        ("connect", ("AF_INET", "203.0.113.9", "4444"), "ENETUNREACH"),
        ("connect", ("AF_UNIX", "@dbus-x", ""), "ECONNREFUSED"),
        ("refused-call", ("ptrace",), "EPERM"),
    ]


def test_strace_arguments_split_only_at_top_level_commas_outside_strings(tmp_path: Path) -> None:
    seen = trace(
        tmp_path,
        [
            r'openat(AT_FDCWD</w>, "a, (b)\\\"c]", O_RDONLY) = 3',
            'execve("/bin/sh", ["sh", "-c", "f(){ :; }, [x]"], 0x1 /* 2 vars */) = 0',
            r'mkdir("/w/new\344\275\240", 0755) = 0',
            'execve("/bin/echo", ["echo", "never closed',
        ],
    )
    assert seen == [
        ("read", ('/w/a, (b)\\"c]',), "ok"),
        ("exec", ("sh", "-c", "f(){ :; }, [x]"), "ok"),
        ("mkdir", ("/w/new\u4f60",), "ok"),
    ]


def test_bwraps_own_set_up_calls_are_not_the_snippets(tmp_path: Path) -> None:
    (tmp_path / "t.10").write_text(
        'execve("/usr/bin/bwrap", ["bwrap", "--args", "9"], 0x1 /* 2 vars */) = 0\n'
        "clone(child_stack=NULL, flags=CLONE_NEWNS|CLONE_NEWPID|SIGCHLD) = 11\n"
    )
    (tmp_path / "t.11").write_text(
        'mount("tmpfs", "/newroot", "tmpfs", MS_NOSUID, NULL) = 0\n'
        'execve("/usr/bin/python3", ["python3", "-s"], 0x1 /* 9 vars */) = 0\n'
        'mount("none", "/tmp", "tmpfs", 0, NULL) = -1 EPERM (Operation not permitted)\n'
    )
    seen = [(o.name, o.args) for o in strace.read_traces(str(tmp_path), "t", default_cwd="/")]
    assert seen == [("exec", ("python3", "-s")), ("refused-call", ("mount",))]


def test_audit_lines_without_the_runs_key_are_counted_as_forged_and_dropped() -> None:
    stream = AuditStream("k" * 32)
    path = b"/etc/shadow".hex()
    stream.feed(f"{'k' * 32} 7 codeward.start\n{'k' * 32} 7 open.w {path}\n".encode())
    stream.feed(f"{'x' * 32} 7 open.w {path}\ngarbage\n- 9 open.r {path}\n".encode())
    stream.close()
    assert stream.forged == 2
    assert [(o.name, o.args, o.verified) for o in stream.observations] == [
        ("write", ("/etc/shadow",), True),
        ("read", ("/etc/shadow",), False),  # a child interpreter: kept, marked unverified
    ]


def test_the_runners_own_set_up_is_not_reported() -> None:
    stream = AuditStream("k")
    stream.feed(
        b"k 1 resource.setrlimit 30 3130\nk 1 codeward.start\nk 1 os.remove " + b"/x".hex().encode() + b"\n"
    )
    assert [o.name for o in stream.observations] == ["delete"]


def test_the_seccomp_filter_checks_the_architecture_first_and_ends_in_returns() -> None:
    program = seccomp.filter_program()
    instructions = [struct.unpack("<HBBI", program[i : i + 8]) for i in range(0, len(program), 8)]
    assert instructions[0] == (0x20, 0, 0, 4)  # load the architecture
    assert instructions[1][3] == 0xC000003E  # x86_64, anything else is killed
    assert instructions[-1][0] == 0x06  # every path ends in a return
    refused = {k for code, _, _, k in instructions if code == 0x15}
    assert {101, 165, 250, 321, 425} <= refused  # ptrace, mount, keyctl, bpf, io_uring_setup
    assert seccomp.HIGHEST_KNOWN in {k for code, _, _, k in instructions if code == 0x25}


def test_real_secrets_in_the_project_get_decoys_of_the_same_shape(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("API_KEY=sk_live_realvalue0123456789\n# comment\n")
    (tmp_path / "id_ed25519").write_text(
        "-----BEGIN OPENSSH PRIVATE KEY-----\nreal\n-----END OPENSSH PRIVATE KEY-----\n"
    )
    (tmp_path / ".env.example").write_text("API_KEY=changeme\n")
    canary = canaries()
    found = project_decoys(tmp_path, canary)
    decoys = {decoy.path: decoy.content.decode() for decoy in found.decoys}
    assert set(decoys) == {".env", "id_ed25519"}
    assert "sk_live_realvalue" not in decoys[".env"] and decoys[".env"].startswith("API_KEY=cwdecoy-")
    assert "# comment" in decoys[".env"] and "real\n" not in decoys["id_ed25519"]
    assert canary.found_in(decoys[".env"]) == ["./.env"]


def test_a_missing_bubblewrap_is_said_with_the_way_to_install_it() -> None:
    box = Sandbox()
    box.backend._host = dataclasses.replace(box.backend.host, bwrap=None)
    ok, problem = box.available()
    assert not ok and "apt-get install bubblewrap" in problem
    with pytest.raises(SandboxUnavailable, match="bubblewrap"):
        box.run_code("echo hi", "bash")
    assert box.run_code("console.log(1)", "javascript").ran is False  # not run, and no error either
    box.close()
