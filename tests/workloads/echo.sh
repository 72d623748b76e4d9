#!/usr/bin/env bash
# /bin/echo hello: the smallest real program, natively and in moat.
. "$(dirname "$0")/lib/common.sh"
compare_run /bin/echo hello
