"""Runs the snippet inside the sandbox as `__main__`, once the supervisor says go.

Started ahead of time by the warm pool (interpreter up, audit hook installed, limits set), it
waits on a pipe; the snippet file appears in /run/codeward/input and runs like `python -c`.
"""

import _signal  # type: ignore[import-not-found]  # (`signal` imports enum: 3.5 ms at every start)
import os
import resource
import sys

_LIMITS = {
    "cpu": resource.RLIMIT_CPU,
    "as": resource.RLIMIT_AS,
    "fsize": resource.RLIMIT_FSIZE,
    "nproc": resource.RLIMIT_NPROC,
    "nofile": resource.RLIMIT_NOFILE,
    "core": resource.RLIMIT_CORE,
}


def _limit() -> None:
    for item in os.environ.pop("CODEWARD_RLIMITS", "").split(","):
        name, _, value = item.partition("=")
        if name in _LIMITS and value.isdigit():
            # CPU: SIGXCPU at the soft limit names the cause; the hard limit a second later is SIGKILL
            hard = int(value) + 1 if name == "cpu" else int(value)
            resource.setrlimit(_LIMITS[name], (int(value), hard))


def _on_cpu_limit(number: int, frame: object) -> None:
    # as pid 1 of its namespace this process ignores SIGXCPU unless it handles it; leave the way the
    # kernel's default would have (128 + SIGXCPU), so that the report names the CPU limit
    _flush()
    os._exit(128 + number)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:  # noqa: SIM105 (contextlib is one more import in every sandbox's start-up)
            stream.flush()
        except (OSError, ValueError):
            pass


def _wait_for_go() -> None:
    number = os.environ.pop("CODEWARD_GO_FD", None)
    if number is None:
        return
    fd = int(number)
    os.read(fd, 16)
    os.close(fd)


def _run() -> None:
    path = os.environ.pop("CODEWARD_SNIPPET", "/run/codeward/input/snippet.py")
    _limit()
    _signal.signal(_signal.SIGXCPU, _on_cpu_limit)
    _wait_for_go()
    with open(path, "rb") as source_file:
        source = source_file.read()
    main = type(sys)("__main__")
    main.__file__ = path
    main.__builtins__ = __builtins__  # type: ignore[attr-defined]
    sys.modules["__main__"] = main
    sys.argv = [path]
    sys.path[0] = ""
    code = compile(source, path, "exec")
    sys.audit("codeward.start")
    try:
        exec(code, main.__dict__)
    except SystemExit:
        sys.audit("codeward.exit")
        _linger()
        raise
    except BaseException as error:
        # the supervisor learns which limit stopped the snippet (MemoryError, EFBIG, EAGAIN) from this event
        sys.audit("codeward.exception", type(error).__name__, getattr(error, "errno", None))
        import traceback  # the traceback without this runner's own frame

        traceback.print_exception(
            type(error), error, error.__traceback__.tb_next if error.__traceback__ else None
        )
        sys.audit("codeward.exit")
        _linger()
        raise SystemExit(1) from None
    sys.audit("codeward.exit")
    _linger()


def _linger() -> None:
    """Wait while the snippet's other processes live (a background job, a double fork, a fork bomb).

    When this process exits, the namespace's init kills whatever is left, which would hide it; the
    supervisor's deadline still bounds the wait. Pid 1 (bwrap's init) and this process are expected.
    """
    import time

    _flush()  # what it printed counts, even if the deadline ends the wait
    me = str(os.getpid())
    while True:
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass
        try:
            others = [pid for pid in os.listdir("/proc") if pid.isdigit() and pid != me]
        except OSError:
            return
        if not others:
            return
        time.sleep(0.02)


_run()
