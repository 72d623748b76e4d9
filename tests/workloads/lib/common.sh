# Shared helpers for the workload tests (sourced, not run as a test).
# Each workload runs a real program natively and inside "$MOAT run --" with
# the same clean environment and compares what it prints and its exit status.
set -u
: "${MOAT:?set MOAT to the absolute path of build/moat}"
T=${WORKLOAD_CMD_TIMEOUT:-60}
CLEAN_ENV=(env -i PATH=/usr/local/bin:/usr/bin:/bin LC_ALL=C HOME=/root TERM=dumb)
WL_TMP=$(mktemp -d /tmp/moat-workload.XXXXXX)
trap 'rm -rf "$WL_TMP"' EXIT

# Put in front of native runs only (see compare_run_own_proc).
NATIVE_PREFIX=()

# run_native CMD...: stdout/stderr to $WL_TMP/native.{out,err}; sets NATIVE_RC.
run_native() {
	"${CLEAN_ENV[@]}" timeout -k 5 "$T" "${NATIVE_PREFIX[@]}" "$@" </dev/null >"$WL_TMP/native.out" \
		2>"$WL_TMP/native.err"
	NATIVE_RC=$?
}

# run_moat CMD...: the same inside moat; sets MOAT_RC.
run_moat() {
	if [ ! -x "$MOAT" ]; then
		echo "moat binary missing: $MOAT" >"$WL_TMP/moat.err"
		: >"$WL_TMP/moat.out"
		MOAT_RC=127
		return
	fi
	"${CLEAN_ENV[@]}" timeout -k 5 "$T" "$MOAT" run -- "$@" </dev/null >"$WL_TMP/moat.out" 2>"$WL_TMP/moat.err"
	MOAT_RC=$?
}

show_stderr() {
	if [ -s "$WL_TMP/moat.err" ]; then
		echo "--- moat stderr (last lines):"
		tail -n 10 "$WL_TMP/moat.err"
	fi
}

# compare_run CMD...: pass when stdout and the exit status match native.
compare_run() {
	run_native "$@"
	run_moat "$@"
	local ok=0
	if [ "$NATIVE_RC" -ne "$MOAT_RC" ]; then
		echo "exit status differs: native $NATIVE_RC, moat $MOAT_RC ($*)"
		ok=1
	fi
	if ! cmp -s "$WL_TMP/native.out" "$WL_TMP/moat.out"; then
		echo "stdout differs (native -, moat +): $*"
		diff -u "$WL_TMP/native.out" "$WL_TMP/moat.out" | head -n 40
		ok=1
	fi
	[ "$ok" -ne 0 ] && show_stderr
	return "$ok"
}

# Whether the host's /proc belongs to our PID namespace: not so for a job
# started with unshare --pid but without a /proc of its own.
host_proc_is_ours() {
	sh -c 'read -r p _ </proc/self/stat && [ "$p" = "$$" ]' 2>/dev/null
}

# compare_run_own_proc CMD...: compare_run for a program that reads /proc
# about itself. On a host whose /proc is another PID namespace's, the
# native reference runs in a PID namespace with a /proc of its own.
compare_run_own_proc() {
	if ! host_proc_is_ours && unshare --pid --fork --mount-proc true 2>/dev/null; then
		NATIVE_PREFIX=(unshare --pid --fork --mount-proc)
	fi
	compare_run "$@"
	local rc=$?
	NATIVE_PREFIX=()
	return $rc
}

# require_file PATH HINT: fail clearly when a program the test needs is missing.
require_file() {
	if [ ! -e "$1" ]; then
		echo "missing $1 on this host ($2)"
		exit 1
	fi
}
