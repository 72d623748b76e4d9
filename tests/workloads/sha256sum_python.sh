#!/usr/bin/env bash
# Hashing a 6 MB binary: large sequential reads.
. "$(dirname "$0")/lib/common.sh"
require_file /usr/bin/python3.11 "python3.11 is part of the base image"
compare_run /usr/bin/sha256sum /usr/bin/python3.11
