#!/usr/bin/env bash
# The exit status of the sandboxed program is moat's exit status.
. "$(dirname "$0")/lib/common.sh"
compare_run /bin/sh -c 'exit 7' || exit 1
if [ "$MOAT_RC" -ne 7 ]; then
	echo "expected exit status 7, got $MOAT_RC"
	exit 1
fi
