#!/usr/bin/env bash
# env -i A=1 env: execve with a fresh environment; prints exactly "A=1".
. "$(dirname "$0")/lib/common.sh"
compare_run /usr/bin/env -i A=1 /usr/bin/env || exit 1
if [ "$(cat "$WL_TMP/moat.out")" != "A=1" ]; then
	echo "expected exactly A=1"
	exit 1
fi
