#!/usr/bin/env bash
# Installs what moat's build, tests and benchmarks need on Debian 12, when
# something is missing and we are root. Quiet when all is there.
set -eu

packages=(
	build-essential   # gcc, make, libc headers (static libc for the tests)
	busybox-static    # a static program the workload tests run
	python3           # workload tests
	coreutils
	procps            # ps, for the "no stub outlives moat" checks
	runsc             # gVisor, measured beside moat by make bench
	proot             # measured beside moat by make bench
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done

if [ "${#missing[@]}" -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "setup: missing packages: ${missing[*]} (run as root to install them)" >&2
	exit 0
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# runsc and proot are only for benchmarks: do not fail the build without them.
essential=()
optional=()
for p in "${missing[@]}"; do
	case "$p" in runsc|proot) optional+=("$p") ;; *) essential+=("$p") ;; esac
done
if [ "${#essential[@]}" -gt 0 ]; then
	apt-get install -y -qq --no-install-recommends "${essential[@]}" >/dev/null
fi
if [ "${#optional[@]}" -gt 0 ]; then
	apt-get install -y -qq --no-install-recommends "${optional[@]}" >/dev/null ||
		echo "setup: could not install ${optional[*]} (benchmarks will skip them)" >&2
fi
