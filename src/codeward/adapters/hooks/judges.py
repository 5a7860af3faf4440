"""Where a hook's check is made: in this process, or in a warm local worker (a codeward service is
asked by the relay, which posts the client's payload to the service's hook route).

Both answer before a deadline or raise JudgeFailure. The in-process judge gives the engine a
deadline a moment before the hook's, so that a slow analysis ends in a decision on the findings
gathered so far; it also runs the engine in a worker thread, so that an engine that cannot even do
that (still loading its policy) gets the failure rule at the hook's deadline. The in-process judge
records every decision to the same local store as `codeward check` (`CODEWARD_DB`, else
`$CODEWARD_HOME`), so that hook decisions are in the audit log and a review has its id. The
engine and pydantic are imported only when a judge actually needs them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import Any

from codeward.adapters.hooks.protocol import CheckRequest, HookSettings, Judged, JudgeFailure
from codeward.adapters.hooks.relay import absolute_policy, codeward_home

ENGINE_MARGIN_SECONDS = 0.3


def local_store() -> Any:
    """The store `codeward check` records to (`CODEWARD_DB`, else `$CODEWARD_HOME`), opened lazily."""
    from codeward.store.local import store_for_check

    return store_for_check()


class InProcessJudge:
    """The engine in this process. One check at a time: a check that overran its deadline keeps the
    engine until it finishes, and a later check waits for it (within its own deadline).

    Built from `policies`, the engine records to `store_factory()` (the local store by default; None
    records nothing); the store stays open across policy reloads. A `guard_factory`'s engine keeps
    whatever store it was given."""

    def __init__(
        self,
        policies: Sequence[str] = (),
        *,
        guard_factory: Callable[[], Any] | None = None,
        store_factory: Callable[[], Any] | None = local_store,
    ) -> None:
        import threading

        self.policies = [absolute_policy(p) for p in policies]
        self._guard_factory = guard_factory
        self._store_factory = store_factory
        self._store: Any = None
        self._authenticator: tuple[Any, Any] | None = None
        """(the guard it was made for, the Authenticator): roles are mapped by that guard's policy."""
        self._guard: Any = None
        self._stamp: tuple[float, ...] | None = None
        self._lock = threading.Lock()

    def decide(self, request: CheckRequest, *, deadline: float) -> Judged:
        import threading

        box: dict[str, Any] = {}
        done = threading.Event()

        def work() -> None:
            try:
                with self._lock:
                    if time.monotonic() >= deadline:
                        raise JudgeFailure("the engine was busy with an earlier check until the deadline")
                    box["judged"] = self._check(request, _engine_deadline(deadline))
            except BaseException as error:
                box["error"] = error
            finally:
                done.set()

        threading.Thread(target=work, name="codeward-check", daemon=True).start()
        if not done.wait(max(0.0, deadline - time.monotonic())):
            raise JudgeFailure(
                f"the engine gave no decision within the hook's deadline (still running: {_stage(self)})",
                self.settings(),
            )
        error = box.get("error")
        if isinstance(error, JudgeFailure):
            raise error
        if error is not None:
            raise JudgeFailure(
                f"the engine failed: {type(error).__name__}: {error}", self.settings()
            ) from None
        judged: Judged = box["judged"]
        return judged

    def warm_up(self) -> None:
        """Load the policy, rules and parsers, run one check through them and open the store, leaving
        nothing on record: the warm worker does this before its first call."""
        import copy

        from codeward.model import Context, Subject

        with self._lock:
            guard = self._current_guard()
            unrecorded = copy.copy(guard)
            unrecorded.store = None
            unrecorded.check(
                Subject(kind="command", content="true", language="bash", mode="execute"), Context()
            )
            if guard.store is not None:
                guard.store.session_events("codeward-warm-up", since=time.time())

    def settings(self) -> HookSettings | None:
        """The loaded policy's hook settings, or None while no policy is loaded."""
        guard = self._guard
        return None if guard is None else settings_of(guard.policy)

    def _check(self, request: CheckRequest, deadline: float) -> Judged:
        from pydantic import ValidationError

        from codeward.errors import PolicyError
        from codeward.model import Context, Subject

        try:
            guard = self._current_guard()
        except PolicyError as error:
            raise JudgeFailure(f"the policy cannot be loaded: {error}") from None
        try:
            subject = Subject.model_validate(request["subject"])
            context = Context.model_validate(request["context"])
        except (ValidationError, KeyError) as error:
            raise JudgeFailure(f"the request is invalid: {error}", settings_of(guard.policy)) from None
        token = request.get("token")
        if token:
            context = context.model_copy(update={"actor": self._verified_actor(guard, token)})
        decision = guard.check(subject, context, deadline=deadline)
        return Judged(decision.to_dict(), settings_of(guard.policy))

    def _current_guard(self) -> Any:
        stamp = _policy_stamp(self.policies)
        if self._guard is None or stamp != self._stamp:
            if self._guard_factory is not None:
                self._guard = self._guard_factory()
            else:
                from codeward.engine import Guard

                guard = Guard(self.policies, sandbox_mode="never")
                guard.store = self._opened_store(guard)
                self._guard = guard
            self._stamp = stamp
        return self._guard

    def _verified_actor(self, guard: Any, token: str) -> Any:
        """Who the token says (roles through the policy's `identity` section). A token that fails is
        a failure with no policy settings: denied everywhere, never an anonymous check."""
        from codeward.errors import IdentityError
        from codeward.identity import Authenticator, IdentityConfig

        try:
            if self._authenticator is None or self._authenticator[0] is not guard:
                identity = guard.policy.identity
                config = IdentityConfig.from_environment().with_role_mapping(
                    identity.role_claims, identity.role_map
                )
                self._authenticator = (guard, Authenticator(config))
            return self._authenticator[1].authenticate(authorization=f"Bearer {token}")
        except IdentityError as error:
            raise JudgeFailure(f"CODEWARD_TOKEN is not accepted: {error}") from None

    def _opened_store(self, guard: Any) -> Any:
        """The store, opened once; a store that cannot even be located is the policy's failure."""
        from codeward.errors import StoreError

        if self._store is None and self._store_factory is not None:
            try:
                self._store = self._store_factory()
            except StoreError as error:
                raise JudgeFailure(
                    f"the audit store cannot be opened: {error}", settings_of(guard.policy)
                ) from None
        return self._store


def _engine_deadline(deadline: float) -> float:
    """When the engine stops analysing and decides on what it has: a moment before the hook's own
    deadline, which stays the backstop for an engine that cannot even do that in time."""
    margin = min(ENGINE_MARGIN_SECONDS, max(0.05, 0.15 * (deadline - time.monotonic())))
    return deadline - margin


def _stage(judge: InProcessJudge) -> str:
    return "loading the policy and rules" if judge._guard is None else "analysis"


def settings_of(policy: Any) -> HookSettings:
    hooks = getattr(policy, "hooks", None)
    return HookSettings(
        fail=policy.fail,
        confirm=getattr(hooks, "confirm", "ask"),
        review=getattr(hooks, "review", "ask"),
    )


def _policy_stamp(policies: Sequence[str]) -> tuple[float, ...]:
    """Modification times of the policy files: a warm engine reloads when one changes."""
    stamp = []
    for reference in policies:
        if reference.startswith("pack:"):
            continue
        try:
            stamp.append(os.stat(reference).st_mtime)
        except OSError:
            stamp.append(-1.0)
    return tuple(stamp)


# ---------------------------------------------------------------------------------------------- worker
def private_directory(path: str) -> bool:
    """Create `path` for this user only; False when it is someone else's or open to others."""
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        info = os.stat(path)
    except OSError:
        return False
    return info.st_uid == os.getuid() and (info.st_mode & 0o077) == 0


def start_worker(socket_path: str, policies: Sequence[str], *, idle_seconds: float) -> None:
    """Start a detached worker for the next hook calls; this call does not wait for it."""
    import subprocess
    import sys

    log = os.path.join(codeward_home(), "logs", "worker.log")
    try:
        os.makedirs(os.path.dirname(log), exist_ok=True)
        with open(log, "ab") as handle:
            command = [sys.executable, "-m", "codeward.adapters.hooks.worker", "--socket", socket_path]
            command += ["--idle", str(idle_seconds)]
            for policy in policies:
                command += ["--policy", absolute_policy(policy)]
            subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=handle,
                stderr=handle,
                start_new_session=True,
                close_fds=True,
            )
    except OSError as error:
        from codeward.adapters.hooks.protocol import log_failure

        log_failure("worker", f"could not start the codeward worker: {error}")
