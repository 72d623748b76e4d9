#!/usr/bin/env bash
# A fork bomb (tests/workloads/src/p3_fork_bomb.c) run as uid 65534 with
# RLIMIT_NPROC 64: it must be stopped by EAGAIN, cleaned up completely, and
# the sandbox must still answer afterwards (the same shell then runs
# another command). Compared with a native run, which is bounded by the
# same limit.
. "$(dirname "$0")/lib/common.sh"
require_file /usr/bin/gcc "gcc is needed to build the test program"
BIN_DIR=$(mktemp -d /var/tmp/moat-p3.XXXXXX)
trap 'rm -rf "$WL_TMP" "$BIN_DIR"' EXIT
SRC=$(cd "$(dirname "$0")" && pwd)/src/p3_fork_bomb.c
gcc -O2 -o "$BIN_DIR/fork_bomb" "$SRC" || exit 1
chmod 755 "$BIN_DIR" "$BIN_DIR/fork_bomb"
compare_run /bin/sh -c "$BIN_DIR/fork_bomb; echo \"bomb exit \$?\"; echo still answering: \$(echo yes)"
