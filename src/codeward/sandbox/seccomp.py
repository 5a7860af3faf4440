"""The sandbox's seccomp filter, assembled as classic BPF with `struct` (no native dependency).

bwrap installs it on the snippet with `--seccomp FD`. It is an allow-list by construction: every
system call this table does not know (numbers above `HIGHEST_KNOWN`, the x32 ABI, other
architectures) is refused, so a kernel that grows a new call does not grow a new hole.
"""

from __future__ import annotations

import errno
import platform
import struct
from dataclasses import dataclass

from codeward.errors import SandboxUnavailable

# classic BPF opcodes (linux/filter.h, linux/bpf_common.h)
_LD_W_ABS = 0x20
_JEQ = 0x15
_JGT = 0x25
_JGE = 0x35
_JSET = 0x45
_RET = 0x06

_RET_KILL_PROCESS = 0x80000000
_RET_ERRNO = 0x00050000
_RET_ALLOW = 0x7FFF0000

_AUDIT_ARCH_X86_64 = 0xC000003E
_X32_SYSCALL_BIT = 0x40000000

# offsets in struct seccomp_data: nr, arch, instruction pointer, then six 64-bit arguments
_NR, _ARCH = 0, 4


def _arg_low(index: int) -> int:
    """Offset of the low 32 bits of argument `index` (the kernel reads int-typed arguments there)."""
    return 16 + 8 * index


HIGHEST_KNOWN = 462
"""x86_64 `mseal` (Linux 6.10): calls numbered above it are refused with ENOSYS until reviewed."""

# x86_64 numbers (arch/x86/entry/syscalls/syscall_64.tbl)
SOCKET, SOCKETPAIR, CLONE, IOCTL = 41, 53, 56, 16

REFUSED: dict[str, int] = {
    # another process's memory and the kernel's own state
    "ptrace": 101,
    "process_vm_readv": 310,
    "process_vm_writev": 311,
    "kcmp": 312,
    "pidfd_getfd": 438,
    "process_madvise": 440,
    "perf_event_open": 298,
    "bpf": 321,
    "userfaultfd": 323,
    "syslog": 103,
    "lookup_dcookie": 212,
    # keys: a launcher's keyring can hold secrets
    "add_key": 248,
    "request_key": 249,
    "keyctl": 250,
    # namespaces and mounts: the sandbox's walls
    "unshare": 272,
    "setns": 308,
    "mount": 165,
    "umount2": 166,
    "pivot_root": 155,
    "chroot": 161,
    "open_tree": 428,
    "move_mount": 429,
    "fsopen": 430,
    "fsconfig": 431,
    "fsmount": 432,
    "fspick": 433,
    "mount_setattr": 442,
    "statmount": 457,
    "listmount": 458,
    "name_to_handle_at": 303,
    "open_by_handle_at": 304,
    "fanotify_init": 300,
    # kernel modules, kexec, machine state
    "init_module": 175,
    "finit_module": 313,
    "delete_module": 176,
    "create_module": 174,
    "get_kernel_syms": 177,
    "query_module": 178,
    "kexec_load": 246,
    "kexec_file_load": 320,
    "reboot": 169,
    "swapon": 167,
    "swapoff": 168,
    "acct": 163,
    "quotactl": 179,
    "quotactl_fd": 443,
    "nfsservctl": 180,
    "uselib": 134,
    "ustat": 136,
    "sysfs": 139,
    "_sysctl": 156,
    "vhangup": 153,
    "iopl": 172,
    "ioperm": 173,
    "modify_ldt": 154,
    "settimeofday": 164,
    "clock_settime": 227,
    "clock_adjtime": 305,
    "adjtimex": 159,
    "lsm_set_self_attr": 460,
}
"""Refused with EPERM."""

UNAVAILABLE: dict[str, int] = {
    # io_uring's file and network operations are invisible to strace
    "io_uring_setup": 425,
    "io_uring_enter": 426,
    "io_uring_register": 427,
    # clone3 passes its flags in memory a filter cannot read; libc falls back to clone
    "clone3": 435,
}
"""Refused with ENOSYS, so that programs take their fallback path."""

ALLOWED_SOCKET_FAMILIES = {"AF_UNIX": 1, "AF_INET": 2, "AF_INET6": 10}
"""Every other family is refused: AF_VSOCK reaches a VM's host whatever the network namespace says."""

NAMESPACE_CLONE_FLAGS = (
    0x00020000  # CLONE_NEWNS
    | 0x02000000  # CLONE_NEWCGROUP
    | 0x04000000  # CLONE_NEWUTS
    | 0x08000000  # CLONE_NEWIPC
    | 0x10000000  # CLONE_NEWUSER
    | 0x20000000  # CLONE_NEWPID
    | 0x40000000  # CLONE_NEWNET
)
TERMINAL_INJECTION_IOCTLS = {"TIOCSTI": 0x5412, "TIOCLINUX": 0x541C}


@dataclass(frozen=True, slots=True)
class _Insn:
    code: int
    k: int
    true: str | None = None
    false: str | None = None


class _Program:
    """A straight-line BPF program with symbolic jump targets, resolved when packed."""

    def __init__(self) -> None:
        self.insns: list[_Insn] = []
        self.labels: dict[str, int] = {}

    def load(self, offset: int) -> None:
        self.insns.append(_Insn(_LD_W_ABS, offset))

    def jump(self, code: int, k: int, true: str | None, false: str | None = None) -> None:
        self.insns.append(_Insn(code, k, true, false))

    def ret(self, value: int) -> None:
        self.insns.append(_Insn(_RET, value))

    def label(self, name: str) -> None:
        """Name the next instruction."""
        self.labels[name] = len(self.insns)

    def pack(self) -> bytes:
        out = bytearray()
        for index, insn in enumerate(self.insns):
            out += struct.pack(
                "<HBBI", insn.code, self._offset(index, insn.true), self._offset(index, insn.false), insn.k
            )
        return bytes(out)

    def _offset(self, index: int, target: str | None) -> int:
        if target is None:
            return 0
        distance = self.labels[target] - index - 1
        if not 0 <= distance <= 255:
            raise ValueError(f"BPF jump to {target} out of range ({distance})")
        return distance


def filter_program() -> bytes:
    """The filter as the raw `struct sock_filter` array bwrap reads from `--seccomp FD`."""
    if platform.machine() != "x86_64":
        raise SandboxUnavailable(
            f"the sandbox's seccomp filter is built for x86_64; this machine is {platform.machine()}"
        )
    p = _Program()
    p.load(_ARCH)
    p.jump(_JEQ, _AUDIT_ARCH_X86_64, None, "kill")
    p.load(_NR)
    p.jump(_JGE, _X32_SYSCALL_BIT, "eperm")
    p.jump(_JGT, HIGHEST_KNOWN, "enosys")
    p.jump(_JEQ, SOCKET, "socket-family")
    p.jump(_JEQ, SOCKETPAIR, "socket-family")
    p.jump(_JEQ, CLONE, "clone-flags")
    p.jump(_JEQ, IOCTL, "ioctl-request")
    for number in REFUSED.values():
        p.jump(_JEQ, number, "eperm")
    for number in UNAVAILABLE.values():
        p.jump(_JEQ, number, "enosys")
    p.ret(_RET_ALLOW)

    p.label("socket-family")
    p.load(_arg_low(0))
    for family in ALLOWED_SOCKET_FAMILIES.values():
        p.jump(_JEQ, family, "allow")
    p.ret(_RET_ERRNO | errno.EAFNOSUPPORT)

    p.label("clone-flags")
    p.load(_arg_low(0))
    p.jump(_JSET, NAMESPACE_CLONE_FLAGS, "eperm", "allow")

    p.label("ioctl-request")
    p.load(_arg_low(1))
    for request in TERMINAL_INJECTION_IOCTLS.values():
        p.jump(_JEQ, request, "eperm")
    p.ret(_RET_ALLOW)

    p.label("eperm")
    p.ret(_RET_ERRNO | errno.EPERM)
    p.label("enosys")
    p.ret(_RET_ERRNO | errno.ENOSYS)
    p.label("kill")
    p.ret(_RET_KILL_PROCESS)
    p.label("allow")
    p.ret(_RET_ALLOW)
    return p.pack()
