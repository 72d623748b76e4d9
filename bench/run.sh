#!/usr/bin/env bash
# Runs moat's benchmarks natively, inside moat, inside gVisor's runsc and
# inside proot (the last two when installed), pinned to CPU 0 and unpinned,
# in interleaved rounds, and prints markdown tables of the medians.
#
#   bash bench/run.sh [NAME...]        all benchmarks, or only those named
#   bash bench/run.sh --list           the benchmark names
#
# Environment:
#   ROUNDS=5                           interleaved rounds (median over them)
#   SANDBOXES="native moat runsc proot"  which columns to run
#   PINNING="pinned unpinned"          which tables to make
#   MOAT=build/moat                    the moat binary
#
# A sandbox that fails a benchmark (non-zero exit, time-out, no result line)
# shows `fail` in that cell and is not run again for it in later rounds; its
# stderr is kept under build/bench/logs/. A sandbox that is not installed
# shows `-`. See bench/README.md.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=$ROOT/build/bench
ROUNDS=${ROUNDS:-5}
SANDBOXES=${SANDBOXES:-native moat runsc proot}
PINNING=${PINNING:-pinned unpinned}
MOAT=${MOAT:-$ROOT/build/moat}
MICRO_TIMEOUT=${MICRO_TIMEOUT:-20}   # seconds for one microbenchmark run
WHOLE_TIMEOUT=${WHOLE_TIMEOUT:-60}   # seconds for one whole-program run

MICRO_BENCHES="getppid clock_gettime open_close stat pread_4k write_devnull_4k
pipe_pingpong pipe_throughput fork_exit_wait fork_exec_wait pthread_create_join
page_fault futex_pingpong signal_self unix_pingpong"
WHOLE_BENCHES="true busybox_subst gcc_hello python_pass find_usr_include"

# What each row is called in the tables (the wording of ../shared/ANCHORS.md).
declare -A TITLE=(
	[getppid]="getppid (raw syscall)"
	[clock_gettime]="clock_gettime (vDSO)"
	[open_close]="open + close"
	[stat]="stat"
	[pread_4k]="pread 4 KiB"
	[write_devnull_4k]="write 4 KiB to /dev/null"
	[pipe_pingpong]="pipe ping-pong between 2 processes"
	[pipe_throughput]="pipe throughput, 64 KiB writes"
	[fork_exit_wait]="fork + exit + wait"
	[fork_exec_wait]="fork + execve(/bin/true) + wait"
	[pthread_create_join]="pthread create + join"
	[page_fault]="page fault, per 4 KiB page"
	[futex_pingpong]="futex ping-pong between threads"
	[signal_self]="signal to self (kill + handler)"
	[unix_pingpong]="unix socket ping-pong"
	[true]='start to exit of `/bin/true`'
	[busybox_subst]='busybox sh, 2000 × `$(...)`'
	[gcc_hello]='`gcc -c hello.c`'
	[python_pass]='`python3 -c pass`'
	[find_usr_include]='`find /usr/include`'
)

is_micro() { [[ " $(echo $MICRO_BENCHES) " == *" $1 "* ]]; }
is_whole() { [[ " $WHOLE_BENCHES " == *" $1 "* ]]; }

if [[ ${1:-} == --list ]]; then
	printf '%s\n' $MICRO_BENCHES $WHOLE_BENCHES
	exit 0
fi

BENCHES=("$@")
if [[ ${#BENCHES[@]} -eq 0 ]]; then
	BENCHES=($MICRO_BENCHES $WHOLE_BENCHES)
fi
for b in "${BENCHES[@]}"; do
	if ! is_micro "$b" && ! is_whole "$b"; then
		echo "run.sh: unknown benchmark '$b' (try --list)" >&2
		exit 2
	fi
done

# The benchmark programs themselves (the Makefile's rule, so flags stay in
# one place; `make bench` has built them already).
make -s -C "$ROOT" build/bench/micro build/bench/timeit || exit 1

LOGS=$BIN/logs
mkdir -p "$LOGS"
rm -f "$LOGS"/*.log
RAW=$BIN/raw.tsv
: > "$RAW"

# ---- the programs the whole-program benchmarks run ----------------------

# hello.c lives in the build tree: readable in every sandbox, and the
# compiler writes nothing (-pipe, -o /dev/null) since a sandbox root may be
# read-only.
printf '#include <stdio.h>\nint main(void)\n{\n\tputs("hello");\n\treturn 0;\n}\n' > "$BIN/hello.c"

# Debian's programs by absolute path (a python3 on PATH may be a pyenv shim).
first_existing() { for f in "$@"; do [[ -x $f ]] && { echo "$f"; return; }; done; }
BUSYBOX=$(first_existing /usr/bin/busybox /bin/busybox)
PYTHON=$(first_existing /usr/bin/python3 "$(command -v python3)")
GCC=$(first_existing /usr/bin/gcc "$(command -v gcc)")
FIND=$(first_existing /usr/bin/find /bin/find)

# Sets CMD to the argv of benchmark $1 as run inside a sandbox; fails if the
# program it needs is missing.
bench_command() {
	case $1 in
	true) CMD=(/bin/true) ;;
	busybox_subst)
		[[ -n $BUSYBOX ]] || return 1
		CMD=("$BUSYBOX" sh -c 'i=0; while [ $i -lt 2000 ]; do x=$(echo $i); i=$((i+1)); done') ;;
	gcc_hello)
		[[ -n $GCC ]] || return 1
		CMD=("$GCC" -pipe -c "$BIN/hello.c" -o /dev/null) ;;
	python_pass)
		[[ -n $PYTHON ]] || return 1
		CMD=("$PYTHON" -c pass) ;;
	find_usr_include)
		[[ -n $FIND ]] || return 1
		CMD=("$FIND" /usr/include) ;;
	*) CMD=("$BIN/micro" "$1") ;;
	esac
}

# ---- the sandboxes --------------------------------------------------------

# Sets PREFIX to the command that runs a program inside sandbox $1.
sandbox_prefix() {
	case $1 in
	native) PREFIX=() ;;
	moat) PREFIX=("$MOAT" run --) ;;
	runsc) PREFIX=(runsc --network=none --platform=ptrace do) ;;
	proot) PREFIX=(proot) ;;
	*) echo "run.sh: unknown sandbox '$1'" >&2; exit 2 ;;
	esac
}

sandbox_installed() {
	case $1 in
	native) return 0 ;;
	moat) [[ -x $MOAT ]] ;;
	*) command -v "$1" > /dev/null ;;
	esac
}

declare -A STATE   # sandbox -> ok | fail | absent
declare -A FAILED  # "pin/bench/sandbox" -> 1 once it failed

# A sandbox that cannot even run /bin/true is not tried on every benchmark.
probe_sandbox() {
	local sb=$1
	if ! sandbox_installed "$sb"; then
		# moat is the thing under test: not built yet counts as failing.
		if [[ $sb == moat ]]; then
			STATE[$sb]=fail
			echo "run.sh: $MOAT is not built; the moat column shows fail" >&2
		else
			STATE[$sb]=absent
		fi
		return
	fi
	sandbox_prefix "$sb"
	if timeout -k 5 30 "${PREFIX[@]}" /bin/true < /dev/null > /dev/null 2> "$LOGS/probe-$sb.log"; then
		STATE[$sb]=ok
	else
		STATE[$sb]=fail
		echo "run.sh: $sb cannot run /bin/true (see $LOGS/probe-$sb.log); its column shows fail" >&2
	fi
}

for sb in $SANDBOXES; do
	probe_sandbox "$sb"
done

# ---- running one benchmark once ------------------------------------------

# Runs benchmark $2 in sandbox $3 with pinning $1; prints "VALUE UNIT" or
# nothing on failure.
run_once() {
	local pin=$1 bench=$2 sb=$3 log=$LOGS/$1-$2-$3.log out
	local pin_cmd=()
	[[ $pin == pinned ]] && pin_cmd=(taskset -c 0)
	sandbox_prefix "$sb"
	bench_command "$bench" || { echo "missing program for $bench" >> "$log"; return 1; }
	if is_micro "$bench"; then
		# Through a pipe, not a file: runsc writes a donated regular file
		# at its own offsets.
		out=$( {
			timeout -k 5 "$MICRO_TIMEOUT" "${pin_cmd[@]}" "${PREFIX[@]}" "${CMD[@]}" < /dev/null 2>> "$log"
			rc=$?
			[[ $rc -eq 0 ]] || echo "run.sh: exit status $rc (124: timed out after ${MICRO_TIMEOUT} s)" >> "$log"
		} | cat)
	else
		out=$("${pin_cmd[@]}" "$BIN/timeit" -n 1 -t "$WHOLE_TIMEOUT" -l "$bench" -- \
			"${PREFIX[@]}" "${CMD[@]}" < /dev/null 2>> "$log")
	fi
	out=$(awk -v n="$bench" '$1 == n && $2 ~ /^[0-9.]+$/ { v = $2 " " $3 } END { if (v != "") print v }' <<< "$out")
	[[ -n $out ]] || return 1
	echo "$out"
}

START=$(date +%s)
for ((round = 1; round <= ROUNDS; round++)); do
	for bench in "${BENCHES[@]}"; do
		for pin in $PINNING; do
			for sb in $SANDBOXES; do
				[[ ${STATE[$sb]} == ok ]] || continue
				[[ -z ${FAILED[$pin/$bench/$sb]:-} ]] || continue
				if result=$(run_once "$pin" "$bench" "$sb"); then
					printf '%s\t%s\t%s\t%s\t%s\n' "$pin" "$bench" "$sb" "$round" "$result" >> "$RAW"
				else
					FAILED[$pin/$bench/$sb]=1
					result="fail (see $LOGS/$pin-$bench-$sb.log)"
				fi
				printf 'round %d/%d  %-20s %-9s %-7s %s\n' "$round" "$ROUNDS" "$bench" "$pin" "$sb" "$result" >&2
			done
		done
	done
done
ELAPSED=$(( $(date +%s) - START ))

# ---- the tables -------------------------------------------------------------

# Cell text for one (pin, bench, sandbox): the median of the rounds.
declare -A MEDIAN UNIT
while IFS=$'\t' read -r pin bench sb med unit; do
	MEDIAN[$pin/$bench/$sb]=$med
	UNIT[$pin/$bench/$sb]=$unit
done < <(awk -F'\t' '
	{ split($5, vu, " "); k = $1 "\t" $2 "\t" $3; n[k]++; v[k, n[k]] = vu[1]; u[k] = vu[2] }
	END {
		for (k in n) {
			m = n[k]
			for (i = 1; i <= m; i++) a[i] = v[k, i] + 0
			for (i = 2; i <= m; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
			med = (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
			print k "\t" med "\t" u[k]
		}
	}' "$RAW")

# Human units: microseconds below 1 become ns, milliseconds above 10000 s.
format_value() {
	awk -v v="$1" -v u="$2" 'BEGIN {
		if (u == "us" && v < 1) { v *= 1000; u = "ns" }
		if (u == "ms" && v >= 10000) { v /= 1000; u = "s" }
		if (u == "us") u = "µs"
		f = v < 10 ? "%.2f" : v < 100 ? "%.1f" : "%.0f"
		printf(f " %s", v, u)
	}'
}

format_ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { r = a / b; printf(r < 10 ? "%.2fx" : r < 100 ? "%.1fx" : "%.0fx", r) }'
}

# Prints the cell for sandbox $3 ("-" absent, "fail", or the value).
cell() {
	local key=$1/$2/$3
	if [[ ${STATE[$3]:-absent} == absent ]]; then echo -n "-"
	elif [[ ${STATE[$3]} != ok || -n ${FAILED[$key]:-} || -z ${MEDIAN[$key]:-} ]]; then echo -n "fail"
	else format_value "${MEDIAN[$key]}" "${UNIT[$key]}"
	fi
}

ratio_cell() {
	local native=$1/$2/native key=$1/$2/$3
	if [[ -n ${MEDIAN[$key]:-} && -z ${FAILED[$key]:-} && -n ${MEDIAN[$native]:-} && -z ${FAILED[$native]:-} ]]; then
		format_ratio "${MEDIAN[$key]}" "${MEDIAN[$native]}"
	else
		echo -n "-"
	fi
}

print_table() {
	local pin=$1
	if [[ $pin == pinned ]]; then
		echo "### Pinned (taskset -c 0), medians of $ROUNDS rounds"
	else
		echo "### Unpinned, medians of $ROUNDS rounds"
	fi
	echo
	echo "| benchmark | native | moat | moat/native | runsc | runsc/native | proot | proot/native |"
	echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
	for bench in "${BENCHES[@]}"; do
		printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "${TITLE[$bench]}" \
			"$(cell "$pin" "$bench" native)" \
			"$(cell "$pin" "$bench" moat)" "$(ratio_cell "$pin" "$bench" moat)" \
			"$(cell "$pin" "$bench" runsc)" "$(ratio_cell "$pin" "$bench" runsc)" \
			"$(cell "$pin" "$bench" proot)" "$(ratio_cell "$pin" "$bench" proot)"
	done
	echo
}

# Sandboxes left out through SANDBOXES show "-" like absent ones.
for sb in native moat runsc proot; do
	[[ -n ${STATE[$sb]:-} ]] || STATE[$sb]=absent
done

report() {
	echo "## moat benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "$(nproc) CPUs, $(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')."
	if command -v runsc > /dev/null; then
		echo "runsc: $(runsc --version 2>/dev/null | head -1), --platform=ptrace."
	fi
	if command -v proot > /dev/null; then
		local pv
		pv=$(proot --version 2>&1)
		echo "proot: $(grep -m1 -oE '[0-9]+\.[0-9]+\.[0-9]+' <<< "$pv" || echo installed)$(grep -q 'seccomp_filter = no' <<< "$pv" && echo ', built without seccomp acceleration')."
	fi
	echo "Ratios are sandbox/native: a slowdown for times; for MB/s a ratio below 1 is the slowdown."
	echo "\`fail\`: the sandbox failed the benchmark (stderr in build/bench/logs/); \`-\`: not installed or not run."
	echo
	for pin in $PINNING; do
		print_table "$pin"
	done
	echo "Took ${ELAPSED} s."
}

report | tee "$BIN/results.md"
