"""The bounds of one sandbox run. Each one that is hit becomes a finding; none of them is a hang."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MiB = 1024 * 1024


class SandboxLimits(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    wall_seconds: float = Field(default=5.0, gt=0, le=600)
    cpu_seconds: int = Field(default=10, ge=1)
    memory_bytes: int = Field(default=512 * MiB, ge=16 * MiB)
    """The run's memory cgroup (resident memory and tmpfs pages); needs a writable cgroup."""
    address_space_bytes: int = Field(default=4096 * MiB, ge=64 * MiB)
    processes: int = Field(default=64, ge=4)
    """Inside the sandbox (RLIMIT_NPROC of its own user namespace) and, as root, the run's pids cgroup."""
    file_size_bytes: int = Field(default=64 * MiB, ge=MiB)
    writable_bytes: int = Field(default=256 * MiB, ge=4 * MiB)
    """Everything the run may write: decoy home, project changes, /tmp, traces."""
    output_bytes: int = Field(default=1 * MiB, ge=4096)
    """Per stream; beyond it the run is stopped."""
    open_files: int = Field(default=256, ge=32)

    def rlimits(self) -> dict[str, int]:
        """The values set inside the sandbox (bash `ulimit` units are converted by the caller)."""
        return {
            "cpu": self.cpu_seconds,
            "as": self.address_space_bytes,
            "fsize": self.file_size_bytes,
            "nproc": self.processes,
            "nofile": self.open_files,
            "core": 0,
        }
