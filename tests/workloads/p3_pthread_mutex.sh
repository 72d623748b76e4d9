#!/usr/bin/env bash
# A C program with 8 pthreads doing 100000 contended mutex/condition
# variable operations each (tests/workloads/src/p3_mutex_condvar.c),
# compiled here with gcc -O2 -pthread into a host directory outside /tmp
# (the sandbox has its own /tmp), run natively and inside moat.
# Slow under a ptrace platform: allow more than the default minute.
export WORKLOAD_CMD_TIMEOUT=${WORKLOAD_CMD_TIMEOUT:-240}
. "$(dirname "$0")/lib/common.sh"
require_file /usr/bin/gcc "gcc is needed to build the test program"
BIN_DIR=$(mktemp -d /var/tmp/moat-p3.XXXXXX)
trap 'rm -rf "$WL_TMP" "$BIN_DIR"' EXIT
SRC=$(cd "$(dirname "$0")" && pwd)/src/p3_mutex_condvar.c
gcc -O2 -pthread -o "$BIN_DIR/mutex_condvar" "$SRC" || exit 1
compare_run "$BIN_DIR/mutex_condvar"
