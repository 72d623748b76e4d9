#!/usr/bin/env bash
# 2000 fork/exit/wait cycles (tests/workloads/src/p3_fork_loop.c), each
# child's exit status checked, natively and inside moat.
# Slow under a ptrace platform: allow more than the default minute.
export WORKLOAD_CMD_TIMEOUT=${WORKLOAD_CMD_TIMEOUT:-240}
. "$(dirname "$0")/lib/common.sh"
require_file /usr/bin/gcc "gcc is needed to build the test program"
BIN_DIR=$(mktemp -d /var/tmp/moat-p3.XXXXXX)
trap 'rm -rf "$WL_TMP" "$BIN_DIR"' EXIT
SRC=$(cd "$(dirname "$0")" && pwd)/src/p3_fork_loop.c
gcc -O2 -o "$BIN_DIR/fork_loop" "$SRC" || exit 1
compare_run "$BIN_DIR/fork_loop"
