"""The `codeward` executable. `codeward hook …` runs on every agent tool call, so it is routed to the
hook runner before the CLI library and the engine are imported; everything else goes to the CLI."""

from __future__ import annotations

import sys


def main() -> None:
    argv = sys.argv[1:]
    if argv[:1] == ["hook"]:
        from codeward.adapters.hooks.relay import main as hook

        sys.exit(hook(argv[1:]))
    from codeward.adapters.cli import main as cli

    cli()


if __name__ == "__main__":
    main()
