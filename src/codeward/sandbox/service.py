"""`Sandbox`: the one way to run a snippet in isolation and get its behaviour report, with a warm pool.

It fits `codeward.protocols.SandboxBackend`, so `Guard(sandbox=Sandbox())` runs snippets when the
policy (or `--sandbox always`) asks. A warm pool keeps started sandboxes waiting on a pipe, with
their interpreter up and audit hook installed, so that a snippet becomes a report in milliseconds;
each one serves exactly one snippet and is thrown away.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import OrderedDict, deque
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType

from codeward.errors import SandboxError, SandboxUnavailable
from codeward.model import Context, Subject
from codeward.sandbox.bubblewrap import BubblewrapSandbox, SandboxRun
from codeward.sandbox.limits import SandboxLimits
from codeward.sandbox.report import BehaviourReport, Isolation

PoolKey = tuple[str, str | None, tuple[str, ...]]
MAX_SNIPPET_CHARS = 256 * 1024
"""A snippet, command or script an agent runs, not a code base: larger input is judged statically only."""


class Sandbox:
    """Runs snippets (python, bash, sh) in a bubblewrap sandbox and reports what they did.

    Build one and reuse it: host detection, the seccomp filter and the audit hook's files are
    prepared once. With `warm=N`, up to N started sandboxes wait per kind of run (language,
    project, tracers), refilled in the background after each use.
    """

    def __init__(
        self,
        limits: SandboxLimits | None = None,
        *,
        warm: int = 0,
        trace: str = "auto",
        project_view: str = "auto",
        backend: BubblewrapSandbox | None = None,
    ) -> None:
        self.backend = backend or BubblewrapSandbox(limits, trace=trace, project_view=project_view)
        self.name = self.backend.name
        self.pool = WarmPool(self.backend, size=warm) if warm > 0 else None
        self._teardown = ThreadPoolExecutor(max_workers=1, thread_name_prefix="codeward-sandbox-teardown")
        self._closed = False

    @property
    def limits(self) -> SandboxLimits:
        return self.backend.limits

    def available(self) -> tuple[bool, str]:
        return self.backend.available()

    def run(
        self, subject: Subject, context: Context | None = None, *, timeout: float | None = None
    ) -> BehaviourReport:
        """Run `subject.content` with the context's project (if it is a directory) as the project view."""
        project = context.project.path if context and context.project else None
        if project is not None and not os.path.isdir(project):
            project = None
        return self.run_code(subject.content, subject.language, project=project, timeout=timeout)

    def run_code(
        self, code: str, language: str | None, *, project: str | None = None, timeout: float | None = None
    ) -> BehaviourReport:
        try:
            normalised = self.backend.language_of(language)
        except SandboxError as error:
            return not_run(language or "unknown", str(error))
        if len(code) > MAX_SNIPPET_CHARS:
            return not_run(
                normalised, f"{len(code)} characters is more than the sandbox runs ({MAX_SNIPPET_CHARS})"
            )
        ok, problem = self.backend.available()
        if not ok:
            raise SandboxUnavailable(problem)
        if project is not None:
            project = os.path.realpath(project)
        wall = timeout if timeout is not None else self.limits.wall_seconds
        tracers = self.backend.tracers_for(normalised, code)
        run = self.pool.take(normalised, project, tracers) if self.pool else None
        warm = run is not None
        try:
            if run is None:
                run = self.backend.start(normalised, project, tracers)
            return self.backend.execute(run, code, timeout=wall, warm=warm, cleanup=self._cleanup)
        finally:
            if self.pool is not None:  # after the run, so that starting the next one does not slow this one
                self.pool.refill(normalised, project, tracers)

    def _cleanup(self, run: SandboxRun) -> None:
        """Tear a finished run down after its report is out (the mounts and cgroup outlive its processes)."""
        try:
            if not self._closed:
                self._teardown.submit(self.backend.discard, run)
                return
        except RuntimeError:  # closed meanwhile: the executor takes no more work
            pass
        self.backend.discard(run)

    def warm_up(self, language: str, project: str | None = None, *, code: str = "") -> None:
        """Start the pool's sandboxes for this kind of run now (blocking), rather than after a first use."""
        if self.pool is None:
            return
        normalised = self.backend.language_of(language)
        tracers = self.backend.tracers_for(normalised, code)
        self.pool.fill((normalised, os.path.realpath(project) if project else None, tuple(tracers)))

    def settle(self) -> None:
        """Wait until earlier runs are torn down and the pool is refilled (benchmarks, tests)."""
        if self._closed:
            return
        self._teardown.submit(lambda: None).result()
        if self.pool is not None:
            self.pool.settle()

    def close(self) -> None:
        """Stop the pool and wait until every run is torn down."""
        self._closed = True
        if self.pool is not None:
            self.pool.close()
        self._teardown.shutdown(wait=True)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


class WarmPool:
    """Started sandboxes waiting for a snippet, by kind of run; bounded in kinds, count and age."""

    def __init__(
        self, backend: BubblewrapSandbox, *, size: int, max_idle: float = 120.0, kinds: int = 4
    ) -> None:
        self.backend = backend
        self.size = size
        self.max_idle = max_idle
        self.kinds = kinds
        self._ready: OrderedDict[PoolKey, deque[SandboxRun]] = OrderedDict()
        self._lock = threading.Lock()
        self._refills = ThreadPoolExecutor(max_workers=1, thread_name_prefix="codeward-sandbox-pool")
        self._closed = False

    def take(self, language: str, project: str | None, tracers: list[str]) -> SandboxRun | None:
        key: PoolKey = (language, project, tuple(tracers))
        found = None
        stale: list[SandboxRun] = []
        with self._lock:
            ready = self._ready.get(key)
            if ready is None:
                self._ready[key] = ready = deque()
                self._evict_kinds()
            self._ready.move_to_end(key)
            while ready and found is None:
                run = ready.popleft()
                if time.monotonic() - run.started > self.max_idle or not run.launch.alive():
                    stale.append(run)
                else:
                    found = run
        for run in stale:
            self.backend.discard(run)
        return found

    def refill(self, language: str, project: str | None, tracers: list[str]) -> None:
        """Start replacements for what was taken, in the background."""
        if not self._closed:
            with contextlib.suppress(RuntimeError):  # closed meanwhile
                self._refills.submit(self.fill, (language, project, tuple(tracers)))

    def fill(self, key: PoolKey) -> None:
        language, project, tracers = key
        while not self._closed:
            with self._lock:
                ready = self._ready.setdefault(key, deque())
                if len(ready) >= self.size:
                    return
            try:
                run = self.backend.start(language, project, list(tracers))
            except (SandboxError, OSError):
                return  # the next take starts its own and reports the error
            with self._lock:
                if self._closed or key not in self._ready:
                    keep = False
                else:
                    self._ready[key].append(run)
                    keep = True
            if not keep:
                self.backend.discard(run)
                return

    def settle(self) -> None:
        if not self._closed:
            with contextlib.suppress(RuntimeError):
                self._refills.submit(lambda: None).result()

    def close(self) -> None:
        self._closed = True
        self._refills.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            runs = [run for ready in self._ready.values() for run in ready]
            self._ready.clear()
        for run in runs:
            self.backend.discard(run)

    def _evict_kinds(self) -> None:
        while len(self._ready) > self.kinds:
            _, ready = self._ready.popitem(last=False)
            for run in ready:
                self.backend.discard(run)


def not_run(language: str, why: str) -> BehaviourReport:
    """The report for a snippet the sandbox does not run (another language): nothing observed, and said so."""
    return BehaviourReport(
        language=language,
        ran=False,
        exit_code=None,
        duration_ms=0.0,
        isolation=Isolation(
            backend="bubblewrap", uid=-1, seccomp=False, cgroup=False, project_view="none", tracers=[]
        ),
        observations=[f"not run: {why}"],
        limits=["The snippet was not run, so nothing was observed: this is no evidence either way."],
    )
