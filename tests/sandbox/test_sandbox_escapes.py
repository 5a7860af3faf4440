"""Escape attempts beyond the containment suite: each is contained (the host is untouched) and reported."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from codeward.sandbox import BehaviourReport, Sandbox

pytestmark = [pytest.mark.sandbox, pytest.mark.timeout(90), pytest.mark.usefixtures("host_unchanged")]

LIBC = "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"


def rules(report: BehaviourReport) -> set[str]:
    return {finding.rule_id for finding in report.findings}


def refused_calls(report: BehaviourReport) -> set[str]:
    return {f.target or "" for f in report.findings if f.rule_id == "sandbox.escape.refused-call"}


def test_ptrace_of_the_parent_is_refused_and_reported(box: Sandbox) -> None:
    snippet = LIBC + (
        "PTRACE_ATTACH = 16\n"
        "result = libc.ptrace(PTRACE_ATTACH, os.getppid(), None, None)\n"
        "print(result, ctypes.get_errno())\n"
    )
    report = box.run_code(snippet, "python")
    assert report.stdout.split() == ["-1", "1"]  # EPERM from the seccomp filter
    assert "ptrace" in refused_calls(report)
    assert "strace" in report.isolation.tracers  # ctypes brings the system-call tracer in


def test_the_tracer_and_launcher_are_out_of_sight_and_proc_writes_fail(box: Sandbox) -> None:
    snippet = (
        "import os\n"
        "names = set()\n"
        "for pid in (p for p in os.listdir('/proc') if p.isdigit()):\n"
        "    try:\n"
        "        names.add(open(f'/proc/{pid}/comm').read().strip())\n"
        "    except OSError:\n"
        "        pass\n"
        "print(sorted(names), os.getpid(), os.getppid())\n"
        "for target in ('/proc/sys/kernel/core_pattern', '/proc/sysrq-trigger'):\n"
        "    try:\n"
        "        with open(target, 'wb') as out:\n"
        "            out.write(b'|/tmp/x')\n"
        "        print('WROTE', target)\n"
        "    except OSError as error:\n"
        "        print(error.errno)\n"
    )
    report = box.run_code(snippet, "python", timeout=5)
    lines = report.stdout.splitlines()
    # only the snippet itself, as pid 1 of its namespace: no strace, no bwrap, no launcher to write into
    assert lines[0] == "['python3'] 1 0", report.stderr
    assert not any(line.startswith("WROTE") for line in lines)
    assert "sandbox.escape.proc-write" in rules(report)
    assert "/tmp/x" not in Path("/proc/sys/kernel/core_pattern").read_text()


def test_unshare_and_mount_inside_are_refused_and_reported(box: Sandbox) -> None:
    snippet = LIBC + (
        "CLONE_NEWUSER, CLONE_NEWNS = 0x10000000, 0x00020000\n"
        "print(libc.unshare(CLONE_NEWUSER | CLONE_NEWNS), ctypes.get_errno())\n"
        "print(libc.mount(b'none', b'/tmp', b'tmpfs', 0, None), ctypes.get_errno())\n"
    )
    report = box.run_code(snippet, "python")
    assert report.stdout.split() == ["-1", "1", "-1", "1"]
    assert {"unshare", "mount"} <= refused_calls(report)
    shell = box.run_code("unshare -r id; mount -t tmpfs none /mnt; echo done", "bash")
    assert "sandbox.escape.tool" in rules(shell) and shell.stdout.strip() == "done"


def test_setuid_binaries_give_no_privilege(box: Sandbox) -> None:
    snippet = (
        "ls -l /usr/bin/su | cut -c4; su -c 'id -u' root </dev/null; echo su=$?; "
        "grep -E '^(CapEff|NoNewPrivs)' /proc/self/status"
    )
    report = box.run_code(snippet, "bash")
    assert "su=0" not in report.stdout
    assert "CapEff:\t0000000000000000" in report.stdout and "NoNewPrivs:\t1" in report.stdout
    assert "sandbox.escape.tool" in rules(report)


def test_host_devices_are_absent_and_raw_disk_writes_are_reported(box: Sandbox) -> None:
    snippet = (
        "ls /dev | tr '\\n' ' '; echo; "
        "dd if=/dev/zero of=/dev/sda bs=512 count=1 2>/dev/null; echo dd=$?; "
        "mknod /tmp/disk b 8 0 2>/dev/null; echo mknod=$?"
    )
    report = box.run_code(snippet, "bash")
    devices = set(report.stdout.splitlines()[0].split())
    assert devices.isdisjoint({"sda", "vda", "nvme0n1", "mem", "kmsg", "vsock", "kvm"})
    assert "dd=0" not in report.stdout and "mknod=0" not in report.stdout
    assert "sandbox.disk.overwrite-device" in rules(report)


@pytest.fixture
def abstract_listener() -> Iterator[tuple[socket.socket, str]]:
    name = f"codeward-test-{uuid.uuid4().hex[:12]}"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind("\0" + name)
    listener.listen(4)
    listener.setblocking(False)
    yield listener, name
    listener.close()


def test_abstract_unix_sockets_of_the_host_are_unreachable(
    box: Sandbox, abstract_listener: tuple[socket.socket, str]
) -> None:
    listener, name = abstract_listener
    snippet = (
        "import socket\n"
        "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
        "try:\n"
        f"    s.connect('\\0{name}')\n"
        "    print('CONNECTED')\n"
        "except OSError as error:\n"
        "    print('errno', error.errno)\n"
    )
    report = box.run_code(snippet, "python")
    assert (
        report.stdout.strip() == "errno 111"
    )  # ECONNREFUSED: a network namespace has its own abstract names
    assert "sandbox.escape.abstract-socket" in rules(report)
    with pytest.raises(BlockingIOError):
        listener.accept()


def test_a_snippet_that_floods_its_tracer_still_ends_at_the_deadline(
    box: Sandbox, none_left: Callable[[], None]
) -> None:
    snippet = (
        "trap '' TERM INT HUP; "
        "for i in 1 2 3 4; do (while :; do : > /dev/null; done) & done; "
        "while :; do stat / >/dev/null 2>&1; done"
    )
    started = time.monotonic()
    report = box.run_code(snippet, "bash", timeout=1.5)
    assert report.timed_out and "wall_time" in {hit.limit for hit in report.limits_hit}
    assert time.monotonic() - started < 1.5 + 6  # the kill grace and the trace reading, never a hang
    assert "strace" in report.isolation.tracers
    none_left()


def test_kernel_keys_io_uring_and_terminal_injection_are_refused(box: Sandbox) -> None:
    snippet = LIBC + (
        "import fcntl, termios\n"
        "SYS_KEYCTL, SYS_IO_URING_SETUP = 250, 425\n"
        "KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING = 0, -3\n"
        "print(libc.syscall(SYS_KEYCTL, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0), ctypes.get_errno())\n"
        "params = ctypes.create_string_buffer(120)\n"
        "print(libc.syscall(SYS_IO_URING_SETUP, 8, params), ctypes.get_errno())\n"
        "try:\n"
        "    fcntl.ioctl(0, termios.TIOCSTI, b'x')\n"
        "    print('INJECTED')\n"
        "except OSError as error:\n"
        "    print(error.errno)\n"
    )
    report = box.run_code(snippet, "python")
    lines = report.stdout.splitlines()
    assert lines[0] == "-1 1" and lines[1] == "-1 38", report.stderr  # EPERM; ENOSYS for io_uring
    assert lines[2] in ("1", "25")  # EPERM from the filter (ENOTTY: there is no terminal either)
    assert "keyctl" in refused_calls(report)
