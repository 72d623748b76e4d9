#!/usr/bin/env bash
# Python starts (dynamic loader, hundreds of opens/stats/mmaps), imports
# modules and lists a directory.
. "$(dirname "$0")/lib/common.sh"
require_file /usr/bin/python3 "python3 is part of the base image"
compare_run /usr/bin/python3 -c 'import json,os,hashlib; print(json.dumps(sorted(os.listdir("/etc"))[:5]), hashlib.sha1(b"x").hexdigest())'
