#!/usr/bin/env bash
# setns(2) from a real program: util-linux's nsenter joins the UTS (and
# IPC, mount) namespaces of a process that unshare(1) put in a new UTS
# namespace and renamed; inside, hostname shows the new name and
# /proc/self/ns/uts is the target's namespace (same link text and inode),
# outside nothing changed. The target says when it is ready by renaming
# a file into place, so the run is deterministic. Compared with a native run (as root).
. "$(dirname "$0")/lib/common.sh"
require_file /usr/bin/nsenter "nsenter is part of util-linux"
require_file /usr/bin/unshare "unshare is part of util-linux"
read -r -d '' SCRIPT <<'SH'
d=$(mktemp -d)
unshare --uts sh -c 'hostname inner-host; echo ready > "$0.tmp"; mv "$0.tmp" "$0"; exec sleep 30' "$d/ready" &
pid=$!
while [ ! -e "$d/ready" ]; do sleep 0.02; done
read r < "$d/ready"
echo "target: $r"
echo "nsenter --uts hostname: $(nsenter -t $pid --uts hostname)"
[ "$(hostname)" != inner-host ] && echo "our hostname is unchanged"
a=$(readlink /proc/$pid/ns/uts)
b=$(nsenter -t $pid --uts readlink /proc/self/ns/uts)
[ "$a" = "$b" ] && echo "nsenter joined the target's UTS namespace"
[ "$(stat -L -c %i /proc/$pid/ns/uts)" = "$(nsenter -t $pid --uts stat -L -c %i /proc/self/ns/uts)" ] && echo "same inode through the link"
[ "$(stat -L -c %i /proc/$pid/ns/uts)" != "$(stat -L -c %i /proc/$$/ns/uts)" ] && echo "our inode differs"
echo "uts+ipc+mnt: $(nsenter -t $pid --uts --ipc --mount sh -c 'hostname; cd /; pwd')"
kill $pid
wait $pid 2>/dev/null
rm -rf "$d"
echo done
SH
compare_run_own_proc /bin/sh -c "$SCRIPT"
