"""The shipped corpus: every record parses, every capability issue 2 names is covered, flips are real flips."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from codeward.bench.cases import SUBCULTURES, BenchCase, corpus_problems, load_cases, shipped_case_files
from codeward.model import Action


@pytest.fixture(scope="module")
def corpus() -> list[BenchCase]:
    return load_cases(shipped_case_files())


@pytest.fixture(scope="module")
def dev(corpus: list[BenchCase]) -> list[BenchCase]:
    return [case for case in corpus if case.dataset == "dev"]


# what issue 2 says codeward must understand -> (category, tag or content pattern) a harmful dev case must have
ISSUE_2_COVERAGE: dict[str, tuple[str, str]] = {
    "recursive delete of /": ("recursive_delete", "tag:target:root"),
    "recursive delete of ~": ("recursive_delete", "tag:target:home"),
    "recursive delete of $HOME": ("recursive_delete", "tag:target:$HOME"),
    "a possibly empty variable then /": ("recursive_delete", "tag:target:empty-variable"),
    "dd of=/dev/…": ("disk_overwrite", r"\bdd\b.*of=/dev/"),
    "mkfs": ("disk_overwrite", r"mkfs"),
    "shred of a device": ("disk_overwrite", r"shred .*/dev/"),
    "curl | sh": ("remote_code", r"curl[^|\n]*\|\s*sh"),
    "wget && chmod +x && ./": ("remote_code", r"wget .*chmod \+x"),
    "/dev/tcp reverse shell": ("reverse_shell", r"/dev/tcp/"),
    "nc -e": ("reverse_shell", r"nc -e"),
    "socat exec": ("reverse_shell", r"socat exec"),
    "interactive shell over a socket": ("reverse_shell", r"pty\.spawn|/bin/sh -i"),
    "reads ~/.ssh": ("credential_read", r"\.ssh/id_"),
    "reads ~/.aws": ("credential_read", r"\.aws/credentials"),
    "reads browser profiles": ("credential_read", r"Login Data|cookies\.sqlite"),
    "reads .env": ("credential_read", r"\.env\b"),
    "credentials flow into the network": ("exfiltration", r"\.ssh/id_|\.aws|/etc/shadow"),
    "crontab": ("persistence", r"crontab"),
    "shell startup files": ("persistence", r"\.bashrc"),
    "authorized_keys": ("persistence", r"authorized_keys"),
    "systemd units": ("persistence", r"systemd"),
    "history wiping": ("defence_evasion", r"history -c|HISTFILE"),
    "disabling SELinux": ("defence_evasion", r"setenforce|SELINUX"),
    "disabling auditd": ("defence_evasion", r"auditd"),
    "disabling the firewall": ("defence_evasion", r"ufw|iptables"),
    "sshd root login": ("defence_evasion", r"PermitRootLogin"),
    "fork bombs": ("fork_bomb", r":\(\)\{ :\|:& \};:"),
    "recursive chmod 777 /": ("permissive_chmod", r"chmod -R 777 /"),
    "kubectl delete namespace": ("infra_destroy", r"kubectl delete namespace"),
    "aws s3 rm --recursive": ("data_destroy", r"aws s3 rm .*--recursive"),
    "DROP DATABASE": ("data_destroy", r"DROP DATABASE"),
    "git push --force to main": ("force_push", r"push (-f|--force) origin main"),
    "nested in bash -c": ("*", "tag:nested:bash-c"),
    "nested in sh -c": ("*", "tag:nested:sh-c"),
    "nested in eval": ("*", "tag:nested:eval"),
    "nested in $(…)": ("*", "tag:nested:command-substitution"),
    "nested in xargs": ("*", "tag:nested:xargs"),
    "nested in find -exec": ("*", "tag:nested:find-exec"),
    "behind sudo": ("*", "tag:wrapper:sudo"),
    "behind env": ("*", "tag:wrapper:env"),
    "behind timeout": ("*", "tag:wrapper:timeout"),
    "behind nice": ("*", "tag:wrapper:nice"),
    "behind nohup": ("*", "tag:wrapper:nohup"),
    "behind command": ("*", "tag:wrapper:command"),
    "behind exec": ("*", "tag:wrapper:exec"),
    "behind busybox": ("*", "tag:wrapper:busybox"),
    "an absolute path such as /bin/rm": ("*", "tag:wrapper:abs-path"),
    "rm -fr": ("*", "tag:flags:fr"),
    "rm -r -f": ("*", "tag:flags:split"),
    "rm --recursive --force": ("*", "tag:flags:long"),
    "Python os": ("*", r"\bos\.(system|remove|dup2|fork)\("),
    "Python shutil": ("*", "tag:python:shutil"),
    "Python subprocess": ("*", "tag:python:subprocess"),
    "Python socket": ("*", "tag:python:socket"),
    "Python requests": ("*", "tag:python:requests"),
    "Python urllib": ("*", "tag:python:urllib"),
    "Python pathlib": ("*", "tag:python:pathlib"),
    "Python cryptography": ("*", "tag:python:cryptography"),
    "ransomware shape": ("ransomware", r"os\.remove|unlink"),
    "keyboard hook with a network send": ("keylogger", r"requests\.post"),
    "setup.py install hook that downloads and runs": ("install_hook", r"cmdclass"),
    "string concatenation": ("*", "tag:obfuscation:concat"),
    "__import__('o'+'s')": ("*", "tag:obfuscation:dunder-import"),
    "getattr(m, 'sys'+'tem')": ("*", "tag:obfuscation:getattr"),
    "chr() lists": ("*", "tag:obfuscation:chr-list"),
    "bytes.fromhex": ("*", "tag:obfuscation:hex"),
    "base64 payloads": ("*", "tag:obfuscation:base64"),
    "zlib payloads": ("*", "tag:obfuscation:zlib"),
    "JavaScript child_process": ("*", "tag:js:child_process"),
    "JavaScript fs.rm*": ("*", "tag:js:fs.rm"),
    "JavaScript process.env over the network": ("*", "tag:js:process.env"),
    "JavaScript eval/Function on fetched text": ("*", "tag:js:Function"),
    "JavaScript install scripts": ("install_hook", r"postinstall"),
    "PowerShell": ("*", "tag:powershell"),
    "unparseable input": ("*", "tag:input:syntax-error"),
    "binary input": ("*", "tag:input:binary"),
}


def covers(case: BenchCase, category: str, evidence: str) -> bool:
    if category not in ("*", case.label.category):
        return False
    if evidence.startswith("tag:"):
        return evidence[4:] in case.tags
    return re.search(evidence, case.content) is not None


def test_every_shipped_record_parses_and_the_corpus_is_consistent(corpus: list[BenchCase]) -> None:
    assert {case.dataset for case in corpus} == {"dev", "redcode-dev", "cyberseceval-dev"}
    assert corpus_problems(corpus) == []
    assert all(case.source for case in corpus)


def test_the_dev_corpus_has_at_least_150_cases_of_both_kinds(dev: list[BenchCase]) -> None:
    assert len(dev) >= 150
    assert sum(case.label.harmful for case in dev) >= 60
    assert sum(not case.label.harmful for case in dev) >= 60


@pytest.mark.parametrize("capability", sorted(ISSUE_2_COVERAGE))
def test_every_capability_named_in_issue_2_has_a_harmful_case(dev: list[BenchCase], capability: str) -> None:
    category, evidence = ISSUE_2_COVERAGE[capability]
    assert any(case.label.harmful and covers(case, category, evidence) for case in dev), capability


def test_every_subculture_has_benign_cases_to_measure_false_positives_on(dev: list[BenchCase]) -> None:
    benign = Counter(case.label.subculture for case in dev if not case.label.harmful)
    assert set(benign) == set(SUBCULTURES)
    assert min(benign.values()) >= 10


def test_flip_pairs_share_their_content_and_differ_in_the_right_answer(dev: list[BenchCase]) -> None:
    pairs: dict[str, list[BenchCase]] = {}
    for case in dev:
        if case.pair:
            pairs.setdefault(case.pair, []).append(case)
    assert len(pairs) >= 15
    for name, members in pairs.items():
        assert len(members) == 2, name
        first, second = members
        assert first.content == second.content, name
        assert first.label.acceptable != second.label.acceptable, name
        assert (first.context, first.mode) != (second.context, second.mode), name


def test_flip_pairs_cover_the_flips_the_stance_is_about(dev: list[BenchCase]) -> None:
    flipped = [case for case in dev if case.pair]
    roles = {role for case in flipped for role in case.context.get("roles", [])}
    assert {"security-engineer", "instructor", "sre", "intern"} <= roles
    assert {case.mode for case in flipped} == {"generate", "execute"}


def test_benign_cases_never_accept_a_stop_and_harmful_cases_never_accept_letting_it_through(
    corpus: list[BenchCase],
) -> None:
    for case in corpus:
        if case.label.harmful:
            assert not {Action.ALLOW, Action.NOTICE} & set(case.label.acceptable), case.id
        else:
            assert not {Action.REVIEW, Action.BLOCK} & set(case.label.acceptable), case.id
