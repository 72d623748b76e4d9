#!/usr/bin/env bash
# moat run with no command: exit status 2 and a usage message.
. "$(dirname "$0")/lib/common.sh"
if [ ! -x "$MOAT" ]; then
	echo "moat binary missing: $MOAT"
	exit 1
fi
timeout -k 5 "$T" "$MOAT" run </dev/null >"$WL_TMP/out" 2>&1
rc=$?
if [ "$rc" -ne 2 ] || ! grep -qi 'usage' "$WL_TMP/out"; then
	echo "expected exit 2 and a usage message, got exit $rc:"
	head -n 5 "$WL_TMP/out"
	exit 1
fi
