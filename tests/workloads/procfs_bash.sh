#!/usr/bin/env bash
# bash process substitution (<(...) and >(...) are /dev/fd/N, that is
# /proc/self/fd/N links to pipes), /dev/stdout, /dev/stderr and /dev/stdin
# redirections, and a look at /proc/self/fd: output compared with native.
. "$(dirname "$0")/lib/common.sh"
require_file /bin/bash "bash"
compare_run_own_proc /bin/bash -c '
{
	cat <(echo hi)
	diff <(printf "a\nb\n") <(printf "a\nc\n"); echo "diff rc=$?"
	while read -r l; do echo "got $l"; done < <(printf "1\n2\n")
	paste <(seq 3) <(seq 4 6)
	echo err >/dev/stderr; echo "stderr rc=$?"
	echo err2 2>&1 >/dev/stderr | cat; echo "stderr pipe rc=$?"
	echo out >/dev/stdout; echo "stdout rc=$?"
	echo x | cat /dev/stdin
	echo y | cat /dev/fd/0
	exec 4< <(echo from-fd4); cat /dev/fd/4; exec 4<&-
	echo teed | tee >(tr a-z A-Z > /dev/stderr) >/dev/null; wait
	ls /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2
	readlink /proc/self/fd/0
	test -d /proc/self && echo "proc self is a dir"
	[ "$(readlink /proc/self)" = "$BASHPID" ] || [ "$(readlink /proc/self)" != "" ] && echo "self ok"
	if command -v findmnt >/dev/null; then findmnt -n -o TARGET,FSTYPE /proc | tail -n 1; else echo "/proc  proc"; fi
	echo 300 > /proc/self/oom_score_adj; cat /proc/self/oom_score_adj
	[ "$(cat /proc/sys/kernel/random/boot_id)" = "$(cat /proc/sys/kernel/random/boot_id)" ] && echo "boot_id stable"
	[ "$(readlink /proc/self/ns/uts)" = "$(readlink /proc/$$/ns/uts)" ] && echo "ns shared"
} | cat
'
