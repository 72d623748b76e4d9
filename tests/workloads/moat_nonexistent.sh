#!/usr/bin/env bash
# moat run -- /nonexistent: exit status 127 and a one-line message on stderr.
. "$(dirname "$0")/lib/common.sh"
run_moat /nonexistent
lines=$(wc -l <"$WL_TMP/moat.err")
if [ "$MOAT_RC" -ne 127 ] || [ "$lines" -ne 1 ] || [ -s "$WL_TMP/moat.out" ]; then
	echo "expected exit 127, nothing on stdout and one line on stderr;"
	echo "got exit $MOAT_RC, $(wc -c <"$WL_TMP/moat.out") bytes on stdout, $lines lines on stderr:"
	head -n 5 "$WL_TMP/moat.err"
	exit 1
fi
