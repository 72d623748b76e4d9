#!/usr/bin/env bash
# A static binary (busybox-static) hashing itself.
. "$(dirname "$0")/lib/common.sh"
require_file /bin/busybox "install busybox-static: scripts/setup.sh does"
compare_run /bin/busybox sha1sum /bin/busybox
