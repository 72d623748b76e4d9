#!/usr/bin/env bash
# The CPU count programs get from sysfs (/sys/devices/system/cpu/online
# and possible, through glibc's get_nprocs and get_nprocs_conf) and from
# sched_getaffinity: nproc, nproc --all and getconf, compared with native.
. "$(dirname "$0")/lib/common.sh"
require_file /usr/bin/nproc "coreutils"
require_file /usr/bin/getconf "libc-bin"
compare_run /bin/sh -c '
	nproc
	nproc --all
	getconf _NPROCESSORS_ONLN
	getconf _NPROCESSORS_CONF
	cat /sys/devices/system/cpu/online /sys/devices/system/cpu/possible
	test -d /sys/devices/system/cpu/cpu0 && echo "cpu0 present"
'
