#!/usr/bin/env bash
# User namespaces with written ID maps, from util-linux: unshare -r makes a
# namespace, denies setgroups and maps root to the caller's own IDs through
# /proc/self/uid_map, setgroups and gid_map; id inside then prints root.
# A second run maps the caller to uid 1000 (--map-user/--map-group) and
# shows the maps, setgroups and a file owner as seen from inside.
# Output is compared with a native run (as root on the host).
. "$(dirname "$0")/lib/common.sh"
require_file /usr/bin/unshare "unshare is part of util-linux"
require_file /usr/bin/id "id is part of coreutils"
read -r -d '' SCRIPT <<'SH'
cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups
echo "uid $(id -u) gid $(id -g)"
stat -c '/ is owned by %u:%g' /
SH
status=0
compare_run /usr/bin/unshare -r /usr/bin/id || status=1
compare_run /usr/bin/unshare --user --map-user=1000 --map-group=1000 /bin/sh -c "$SCRIPT" || status=1
exit "$status"
