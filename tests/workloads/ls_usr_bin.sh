#!/usr/bin/env bash
# ls -la of a big directory: getdents64, lstat of every entry, readlink,
# /etc/passwd and /etc/group lookups for owner names.
. "$(dirname "$0")/lib/common.sh"
compare_run /bin/ls -la /usr/bin
