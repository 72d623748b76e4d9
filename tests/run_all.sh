#!/usr/bin/env bash
# tests/run_all.sh [unit|conformance|workloads ...]   (default: all three)
#
# unit:        every build/unit/* binary; pass = exit status 0.
# conformance: every build/conformance/X, run natively and then inside moat
#              (build/moat run -- /abs/path/X). Pass = both exit 0, neither
#              prints "not ok", and the TAP lines ("ok N - ...", "not ok ...",
#              "1..N"; "#" comments ignored) are identical. A failing test
#              runs once more; passing then, it counts as passed but is
#              reported FLAKY with the first failure shown. Programs named
#              fuzz_* run only inside moat (random syscalls are not safe
#              natively); pass = exit 0 and the "# fuzz done" line. On a
#              host whose /proc is not of our PID namespace, the tests that
#              read /proc (procfs_*, userns_map, ns_setns) run inside moat only, and
#              pass when every check passes.
# workloads:   every tests/workloads/*.sh, run with MOAT=/abs/build/moat;
#              pass = exit status 0.
#
# Prints one PASS/FAIL line per test (with a short diff or the last lines of
# output on failure) and ends with exactly one line "N passed, N failed".
# Exits non-zero if anything failed.
set -u

cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD

# Inside the sandbox /tmp is moat's own tmpfs, so programs of a checkout
# under the host's /tmp cannot be reached from inside. Run the suite from a
# copy elsewhere then (CI may clone anywhere).
case "$ROOT/" in
/tmp/*)
	if [ -z "${MOAT_RUN_ALL_RELOCATED:-}" ]; then
		stage=$(mktemp -d /var/tmp/moat-check.XXXXXX) || exit 2
		cp -a "$ROOT/." "$stage/" || exit 2
		MOAT_RUN_ALL_RELOCATED=1 bash "$stage/tests/run_all.sh" "$@"
		rc=$?
		rm -rf "$stage"
		exit $rc
	fi
	;;
esac
MOAT=${MOAT:-$ROOT/build/moat} # overridable, e.g. to try the runner with a stand-in
TIMEOUT=${MOAT_TEST_TIMEOUT:-30}           # per conformance/unit run
FUZZ_TIMEOUT=${MOAT_FUZZ_TIMEOUT:-60}       # per fuzz_* run
WORKLOAD_TIMEOUT=${MOAT_WORKLOAD_TIMEOUT:-300}

passed=0
failed=0
work=$(mktemp -d /tmp/moat-run-all.XXXXXX) || exit 2
trap 'rm -rf "$work"' EXIT

# Descriptors inherited from whoever started us would show up in the tests'
# fd numbering natively (the sandbox starts with 0, 1 and 2 only).
for fd in $(ls /proc/$$/fd 2>/dev/null); do
	case $fd in 0 | 1 | 2 | 255) ;; *) eval "exec $fd>&-" 2>/dev/null ;; esac
done

skipped=0
# tests/known_failures: "suite/name  reason" for tests that cannot pass until
# the named work lands. They still run; a failure is reported as XFAIL and
# counted as skipped, a pass as XPASS (remove the line then).
known_reason() {
	[ -f "$ROOT/tests/known_failures" ] || return 1
	awk -v t="$1" '$1 == t { $1 = ""; sub(/^ +/, ""); print; found = 1 } END { exit !found }' \
		"$ROOT/tests/known_failures"
}

pass() {
	if reason=$(known_reason "$1"); then
		echo "XPASS $1 (listed in tests/known_failures: $reason; remove the line)"
	else
		echo "PASS $1"
	fi
	passed=$((passed + 1))
}

fail() {
	if reason=$(known_reason "$1"); then
		echo "XFAIL $1 ($reason)${2:+: $2}"
		skipped=$((skipped + 1))
		return
	fi
	echo "FAIL $1${2:+: $2}"
	failed=$((failed + 1))
}

# Indented excerpt of a file: its last N lines.
show_tail() {
	local file=$1 n=${2:-15}
	[ -s "$file" ] && tail -n "$n" "$file" | sed 's/^/    /'
	return 0
}

# The TAP lines of a transcript, comments and other output dropped.
tap_lines() {
	grep -E '^(ok [0-9]+|not ok [0-9]+|1\.\.[0-9]+$)' "$1"
}

# Status of a finished command, with a word for timeouts and signals.
describe_status() {
	case $1 in
	0) echo "exit 0" ;;
	124) echo "timed out" ;;
	12[5-7]) echo "could not run (status $1)" ;;
	*) if [ "$1" -gt 128 ]; then echo "killed by signal $(($1 - 128))"; else echo "exit $1"; fi ;;
	esac
}

# A transcript is a clean TAP pass: has a plan, as many oks as planned and
# no "not ok".
tap_all_ok() {
	local file=$1 plan oks
	plan=$(grep -E '^1\.\.[0-9]+$' "$file" | tail -n 1 | cut -d. -f3)
	oks=$(grep -cE '^ok [0-9]+' "$file")
	[ -n "$plan" ] && [ "$plan" -gt 0 ] && [ "$oks" -eq "$plan" ] && ! grep -qE '^not ok' "$file"
}

run_unit() {
	local bin name rc
	for bin in "$ROOT"/build/unit/*; do
		[ -f "$bin" ] && [ -x "$bin" ] || continue
		name=unit/$(basename "$bin")
		timeout -k 5 "$TIMEOUT" "$bin" </dev/null >"$work/out" 2>&1
		rc=$?
		if [ "$rc" -eq 0 ]; then
			pass "$name"
		else
			fail "$name" "$(describe_status "$rc")"
			show_tail "$work/out"
		fi
	done
}

run_in_moat() {
	timeout -k 5 "${2:-$TIMEOUT}" "$MOAT" run -- "$1" </dev/null >"$work/moat.out" 2>"$work/moat.err"
}

run_fuzz() {
	local bin=$1 name=$2 rc
	if [ ! -x "$MOAT" ]; then
		fail "$name" "build/moat is missing"
		return
	fi
	run_in_moat "$bin" "$FUZZ_TIMEOUT"
	rc=$?
	if [ "$rc" -eq 0 ] && grep -q '^# fuzz done' "$work/moat.out" && ! grep -qE '^not ok' "$work/moat.out"; then
		pass "$name"
	else
		fail "$name" "in moat: $(describe_status "$rc")"
		show_tail "$work/moat.out" 5
		show_tail "$work/moat.err" 10
	fi
}

# One native and one moat run of bin: sets why (empty on a pass) and
# writes what explains a failure to $work/details.
check_conformance_one() {
	local bin=$1 nrc mrc
	why=""
	: >"$work/details"
	timeout -k 5 "$TIMEOUT" "$bin" </dev/null >"$work/native.out" 2>"$work/native.err"
	nrc=$?
	if [ -x "$MOAT" ]; then
		run_in_moat "$bin"
		mrc=$?
	else
		echo "build/moat is missing" >"$work/moat.err"
		: >"$work/moat.out"
		mrc=127
	fi
	tap_lines "$work/native.out" >"$work/native.tap"
	tap_lines "$work/moat.out" >"$work/moat.tap"

	if [ "$nrc" -ne 0 ] || ! tap_all_ok "$work/native.out"; then
		why="native: $(describe_status "$nrc") (the test itself is wrong on this host)"
	elif [ "$mrc" -ne 0 ] || ! tap_all_ok "$work/moat.out"; then
		why="in moat: $(describe_status "$mrc")"
	elif ! cmp -s "$work/native.tap" "$work/moat.tap"; then
		why="TAP output differs"
	fi
	[ -n "$why" ] || return 0
	{
		if [ "$nrc" -ne 0 ] || ! tap_all_ok "$work/native.out"; then
			grep -E -A1 '^not ok' "$work/native.out" | head -n 20 | sed 's/^/    /'
			show_tail "$work/native.err" 5
		else
			if grep -qE '^not ok' "$work/moat.out"; then
				# The failing checks inside moat, each with its "#" details.
				grep -E -A2 '^not ok' "$work/moat.out" | grep -E '^(not ok|#)' | head -n 20 | sed 's/^/    /'
			else
				# Lines that differ (missing, extra or renamed checks),
				# native (-) against moat (+).
				diff -U0 "$work/native.tap" "$work/moat.tap" | grep -E '^[-+][^-+]' | head -n 20 | sed 's/^/    /'
			fi
			show_tail "$work/moat.err" 5
		fi
	} >"$work/details"
}

# A test that fails once is run again: a pass the second time counts, but
# the first failure is shown in full so that flakiness is seen and fixed.
run_conformance_one() {
	local bin=$1 name=$2 first
	check_conformance_one "$bin"
	if [ -n "$why" ] && ! known_reason "$name" >/dev/null; then
		first=$why
		cp "$work/details" "$work/details.first"
		check_conformance_one "$bin"
		if [ -z "$why" ]; then
			echo "PASS $name (FLAKY: passed on a retry; the first run failed: $first)"
			cat "$work/details.first"
			passed=$((passed + 1))
			return
		fi
	fi
	if [ -z "$why" ]; then
		pass "$name"
		return
	fi
	fail "$name" "$why"
	cat "$work/details"
}

# Whether the host's /proc belongs to our PID namespace (a CI job started
# with unshare --pid but without a /proc of its own sees other numbers
# there, so native runs of the tests that read /proc cannot be right).
host_proc_is_ours() {
	sh -c 'read -r p _ </proc/self/stat && [ "$p" = "$$" ]' 2>/dev/null
}

# The tests that compare /proc's contents with the IDs a process sees.
reads_own_proc() {
	case $1 in
	procfs_* | userns_map | ns_setns) return 0 ;;
	esac
	return 1
}

# Such a test on such a host runs inside moat only: every check must pass.
run_moat_only() {
	local bin=$1 name=$2 rc
	run_in_moat "$bin"
	rc=$?
	if [ "$rc" -eq 0 ] && tap_all_ok "$work/moat.out"; then
		echo "PASS $name (checked inside moat only: the host's /proc belongs to another PID namespace)"
		passed=$((passed + 1))
	else
		fail "$name" "in moat: $(describe_status "$rc")"
		grep -E -A2 '^not ok' "$work/moat.out" | grep -E '^(not ok|#)' | head -n 20 | sed 's/^/    /'
		show_tail "$work/moat.err" 5
	fi
}

run_conformance() {
	local bin name own_proc=1
	host_proc_is_ours || own_proc=0
	for bin in "$ROOT"/build/conformance/*; do
		[ -f "$bin" ] && [ -x "$bin" ] || continue
		name=conformance/$(basename "$bin")
		case $(basename "$bin") in
		fuzz_*) run_fuzz "$bin" "$name" ;;
		*)
			if [ "$own_proc" -eq 0 ] && reads_own_proc "$(basename "$bin")"; then
				run_moat_only "$bin" "$name"
			else
				run_conformance_one "$bin" "$name"
			fi
			;;
		esac
	done
}

run_workloads() {
	local script name rc
	for script in "$ROOT"/tests/workloads/*.sh; do
		[ -f "$script" ] || continue
		name=workloads/$(basename "$script" .sh)
		MOAT=$MOAT timeout -k 5 "$WORKLOAD_TIMEOUT" bash "$script" </dev/null >"$work/out" 2>&1
		rc=$?
		if [ "$rc" -eq 0 ]; then
			pass "$name"
		else
			fail "$name" "exit $rc"
			show_tail "$work/out" 20
		fi
	done
}

suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(unit conformance workloads)
for suite in "${suites[@]}"; do
	case $suite in
	unit) run_unit ;;
	conformance) run_conformance ;;
	workloads) run_workloads ;;
	*)
		echo "usage: $0 [unit|conformance|workloads ...]" >&2
		exit 2
		;;
	esac
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
