"""Fixture for python.proc.inject: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import ctypes

kernel32 = ctypes.windll.kernel32
shellcode = bytearray(b"\x90\x90\xc3")
# ruleid: python.proc.inject
kernel32.WriteProcessMemory(0, 0, shellcode, len(shellcode), 0)
# ruleid: python.proc.inject
memory = kernel32.VirtualAlloc(0, len(shellcode), 0x3000, 0x40)
# ruleid: python.proc.inject
kernel32.RtlMoveMemory(memory, shellcode, len(shellcode))
# ruleid: python.proc.inject
kernel32.CreateThread(0, 0, memory, 0, 0, 0)
# ok: python.proc.inject
kernel32.GetTickCount()
