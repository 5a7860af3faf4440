"""The `codeward` command. Exit status: 0 allow/notice, 3 confirm/review, 4 block, 2 usage or input error."""

from __future__ import annotations

import logging
import sys

import click

from codeward.adapters.cli import (
    audit,
    bench,
    check,
    hook,
    install,
    intent,
    policy,
    proxy,
    review,
    sandbox,
    scan,
    serve,
)
from codeward.errors import CodewardError

EXIT_OK, EXIT_USAGE, EXIT_STOP, EXIT_BLOCK = 0, 2, 3, 4

EPILOG = """\b
Exit status:
  0  allow or notice          3  confirm or review
  4  block                    2  usage or input error (or an internal error)
"""


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}, epilog=EPILOG
)
@click.version_option(package_name="codeward")
@click.option("-v", "--verbose", is_flag=True, help="Log what codeward does to stderr.")
def cli(verbose: bool) -> None:
    """codeward: a context-aware, explainable safety layer for AI coding assistants and agents.

    It judges one snippet or command at a time -- allow, notice, confirm, review or block --
    from what the code does and who is asking, where and why; never the account.
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.CRITICAL, format="codeward: %(message)s")


cli.add_command(check.check)
cli.add_command(policy.policy)
cli.add_command(policy.capabilities)
cli.add_command(hook.hook)
cli.add_command(install.install_command)
cli.add_command(install.uninstall_command)
cli.add_command(scan.scan)
cli.add_command(scan.precommit)
cli.add_command(proxy.proxy)
cli.add_command(serve.serve)
cli.add_command(serve.api_key)
cli.add_command(review.review)
cli.add_command(audit.audit)
cli.add_command(intent.intent)
cli.add_command(bench.bench)
cli.add_command(sandbox.sandbox)


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="codeward", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.exceptions.Abort:
        click.echo("codeward: aborted", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as error:
        error.show()
        sys.exit(EXIT_USAGE)
    except CodewardError as error:
        click.echo(f"codeward: {error}", err=True)
        sys.exit(EXIT_USAGE)
    except BrokenPipeError:
        sys.exit(EXIT_OK)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:  # never a traceback to a user
        logging.getLogger("codeward").error("internal error", exc_info=True)
        click.echo(
            f"codeward: internal error: {type(error).__name__}: {error} (run with -v for details; please report it)",
            err=True,
        )
        sys.exit(EXIT_USAGE)
