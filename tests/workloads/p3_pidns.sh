#!/usr/bin/env bash
# PID namespaces from real programs: util-linux's unshare --pid --fork
# starts a shell as pid 1 of a new namespace; inside, a subshell's
# processes count up from 2, a nested namespace starts again at 1, and
# when the nested namespace's init exits its background sleeper dies with
# it (kill(-1) from the outer init then finds nobody).
# Output is compared with a native run (as root on the host).
. "$(dirname "$0")/lib/common.sh"
require_file /usr/bin/unshare "unshare is part of util-linux"
read -r -d '' SCRIPT <<'SH'
echo "init: pid $$, parent $PPID"
echo "a child: $(sh -c 'echo pid $$ parent $PPID')"
unshare --pid --fork sh -c 'echo "nested init: pid $$, parent $PPID"; sleep 30 & echo "its job: $!"'
if kill -0 -1 2>/dev/null; then echo "a process outlived its namespace"; else echo "nobody else is left"; fi
SH
compare_run /usr/bin/unshare --pid --fork /bin/sh -c "$SCRIPT"
