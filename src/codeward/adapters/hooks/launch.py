"""`python -I -S …/codeward/adapters/hooks/launch.py CLIENT [options]`: the hook relay started at the
lowest cost (what `codeward install CLIENT --fast` writes).

A file run as a script is compiled on every start (a script's bytecode is never cached), which costs
the relay's 17 KB about 5 ms a call; this file is three statements, and the relay it imports comes from
its cached bytecode. Without `site`, the package is found beside this file.
"""

import os
import sys

if __name__ == "__main__":  # imported (by tools that walk the package), it does nothing
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    )
    from codeward.adapters.hooks.relay import main

    sys.exit(main(sys.argv[1:]))
