#!/bin/bash
# ruleid: bash.proc.bind_shell
nc -l -e /bin/sh -p 4444
# ruleid: bash.proc.bind_shell
nc -lvnp 4444 -e /bin/bash
# ruleid: bash.proc.bind_shell
socat TCP-LISTEN:4444,reuseaddr,fork EXEC:/bin/sh
# ruleid: bash.proc.bind_shell
nc -l -p 4444 | /bin/bash

# ok: bash.proc.bind_shell
nc -l -p 4444 > received.bin
# ok: bash.proc.bind_shell
echo "nc -l -e /bin/sh -p 4444"
# ok: bash.proc.bind_shell
socat TCP-LISTEN:8080,fork TCP:localhost:3000
