#!/usr/bin/env bash
# cat of a file reached through a symlink (/etc/os-release -> ../usr/lib/os-release).
. "$(dirname "$0")/lib/common.sh"
compare_run /bin/cat /etc/os-release
