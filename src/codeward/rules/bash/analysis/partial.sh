#!/bin/bash
# ok: bash.analysis.partial
echo "this line parses"
# ok: bash.analysis.partial
if [ -f x ]; then echo ok; fi
# ruleid: bash.analysis.partial
case $x in ) ) esac esac
