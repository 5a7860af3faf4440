"""The capability taxonomy is one table; everything that names a capability names one from it."""

from __future__ import annotations

import re
from pathlib import Path

import codeward
from codeward import capabilities
from codeward.policy.loader import load_policy, pack_names

NAME = re.compile(r"^[a-z]+(\.[a-z_]+)+$")


def test_names_are_unique_dotted_and_described() -> None:
    names = [c.name for c in capabilities.CAPABILITIES]
    assert len(names) == len(set(names))
    for capability in capabilities.CAPABILITIES:
        assert NAME.match(capability.name), capability.name
        assert capability.description and capability.description[0].isupper()


def test_the_capabilities_design_md_names_exist() -> None:
    for name in (
        "fs.delete.recursive",
        "fs.write.shell_startup",
        "cred.read.ssh_key",
        "net.connect.raw",
        "net.exfiltrate",
        "proc.reverse_shell",
        "proc.spawn.shell",
        "exec.remote_payload",
        "exec.obfuscated",
        "persist.cron",
        "disk.overwrite",
        "sys.security_disable",
        "crypto.mass_encrypt",
        "resource.fork_bomb",
    ):
        assert capabilities.exists(name), name


def test_globs_and_prefixes_match() -> None:
    assert {c.name for c in capabilities.matching("cred.read.*")} >= {"cred.read.ssh_key", "cred.read.cloud"}
    assert capabilities.capability_matches("fs", "fs.delete.recursive")
    assert not capabilities.capability_matches("fs.delete", "fs.deleted")


def test_every_rule_file_names_a_known_capability() -> None:
    rules = Path(codeward.__file__).parent / "rules"
    for path in rules.rglob("*.yaml"):
        text = path.read_text()
        match = re.search(r"^capability:\s*(\S+)", text, re.M)
        assert match and capabilities.exists(match.group(1)), path


def test_every_pack_loads() -> None:
    for pack in pack_names():
        assert load_policy([f"pack:{pack}"]).rules
