#!/bin/bash
# A cleanup script an agent was about to run.
set -e
rm -rf ./build ./dist
rm -rf "$CACHE_DIR/"
