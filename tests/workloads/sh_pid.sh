#!/usr/bin/env bash
# A shell started by moat is the sandbox's init: $$ is 1 (not compared with
# native, where it is some host pid).
. "$(dirname "$0")/lib/common.sh"
run_moat /bin/sh -c 'echo $$'
if [ "$MOAT_RC" -ne 0 ] || [ "$(cat "$WL_TMP/moat.out")" != "1" ]; then
	echo "expected \"1\" and exit 0, got exit $MOAT_RC and:"
	head -n 5 "$WL_TMP/moat.out"
	show_stderr
	exit 1
fi
