#!/usr/bin/env bash
# bash with the process model at work: pipelines, subshells, command
# substitution, background jobs and wait (with their exit statuses), a USR1
# trap fired by kill -USR1 $$, and job control with set -m (a job in its own
# process group; a job stopped, listed by jobs, continued and killed). Output is compared with a native
# run; nothing printed depends on PIDs or timing.
. "$(dirname "$0")/lib/common.sh"
require_file /bin/bash "bash is part of the base image"
require_file /usr/bin/perl "perl (perl-base) is part of the base image"
read -r -d '' SCRIPT <<'SH'
set -u
echo "pipeline: $(printf '3\n1\n2\n' | sort | tr '\n' ' ' | sed 's/ $//')"
echo "pipeline status: $(false | true; echo $?) $(set -o pipefail; false | true; echo $?)"
x=outer; (x=inner; echo "subshell sees $x"); echo "parent keeps $x"
echo "nested substitution: $(echo "a$(echo "b$(echo c)")")"
n=$( (exit 7); echo $?); echo "subshell exit status $n"
for i in 1 2 3; do (sleep 0.0$i; exit $i) & done
st=0; for j in $(jobs -p); do wait "$j"; st=$((st + $?)); done
echo "background statuses sum to $st"
sleep 0.05 & bg=$!; wait "$bg"; echo "wait for one job: $?"
got=0; trap 'got=$((got + 1))' USR1
kill -USR1 $$; kill -USR1 $$
echo "USR1 trap ran $got times"
trap - USR1
( trap 'echo "child trap: TERM"; exit 3' TERM; kill -TERM $BASHPID; sleep 5 ) ; echo "subshell trap exit $?"
set -m
perl -e 'print((getpgrp() == $$ ? "job control: a job leads its own process group" : "job shares our group"), "\n")' &
wait $!
sleep 5 & job=$!
kill -STOP $job; sleep 0.2
jobs
kill -CONT $job; kill -TERM $job
# wait may first report the earlier stop: wait until the job is gone.
for i in $(seq 100); do wait $job 2>/dev/null; kill -0 $job 2>/dev/null || break; sleep 0.05; done
kill -0 $job 2>/dev/null || echo "stopped job continued, killed and reaped"
set +m
cat <<EOT | while read -r w; do echo "read $w"; done
one
two
EOT
echo "done"
SH
compare_run /bin/bash -c "$SCRIPT"
