#!/usr/bin/env bash
# make -j2 building a small multi-file C project with gcc
# (tests/workloads/src/p3_make) in a fresh directory under /tmp (inside the
# sandbox: its own tmpfs), then running the result. Compared with a native
# run of the same command (which uses a fresh host /tmp directory).
. "$(dirname "$0")/lib/common.sh"
require_file /usr/bin/make "make is needed"
require_file /usr/bin/gcc "gcc is needed"
SRC=$(cd "$(dirname "$0")" && pwd)/src/p3_make
compare_run /bin/sh -c "d=\$(mktemp -d /tmp/p3make.XXXXXX) && cp -r '$SRC' \$d/x && make -s --no-print-directory -C \$d/x -j2 && \$d/x/prog; s=\$?; rm -rf \$d; exit \$s"
