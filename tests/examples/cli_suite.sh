#!/usr/bin/env bash
# An engineer's CI suite, written the way one would write it against an
# installed nestlab: only the `nestlab` command, its exit statuses and its
# --json output (read with jq). It prints TAP and exits 1 if any check failed.
#
#   tests/examples/cli_suite.sh [BUILD_DIR]      (default: ./build)
#
# It uses a private kernel (socket and state under a temporary directory,
# started on demand by the first command) and stops it at the end, so it can
# run beside other nestlab users on the same machine.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-${NESTLAB_BUILD_DIR:-$here/../../build}}" && pwd)
nestlab="$build/bin/nestlab"
guests="$build/share/nestlab/guests"
for tool in jq timeout; do
  command -v "$tool" >/dev/null || { echo "Bail out! $tool is missing (scripts/install-deps installs it)"; exit 1; }
done
[ -x "$nestlab" ] || { echo "Bail out! no $nestlab: build nestlab first (scripts/build)"; exit 1; }

work=$(mktemp -d /tmp/nestlab-cli-suite.XXXXXX)
export NESTLAB_SOCKET="$work/nestlab.sock" NESTLAB_STATE_DIR="$work/state"
export NESTLAB_CGROUP_PARENT="nestlab-cli-suite-$$"
vhv="ci-$$"

cleanup() {
  local pid
  pid=$("$nestlab" kernel status --json 2>/dev/null | jq -r '.pid // empty')
  if [ -n "$pid" ]; then
    "$nestlab" vhv rm "$vhv" >/dev/null 2>&1
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$work"
}
trap cleanup EXIT

n=0
failed=0
# check DESCRIPTION COMMAND... : one TAP line; the command's output is kept
# (capped) in $work/out for the diagnostics of a failure.
check() {
  local desc=$1
  shift
  n=$((n + 1))
  if "$@" >"$work/out" 2>&1; then
    echo "ok $n - $desc"
  else
    failed=$((failed + 1))
    echo "not ok $n - $desc"
    head -c 4000 "$work/out" | sed 's/^/# /'
  fi
}
echo "TAP version 13"

check "doctor reports QEMU and seccomp" bash -c "
  timeout 60 '$nestlab' doctor --json | jq -e '.qemu.version != null and .seccomp.available == true'"

check "run: hello prints its greeting and exits 0" bash -c "
  out=\$(timeout 60 '$nestlab' run --json '$guests/hello.elf') || exit 1
  echo \"\$out\" | jq -s -e '(map(.console // empty) | join(\"\") | contains(\"Hello from a nestlab guest!\"))
                            and (last.exit.reason == \"poweroff\") and (last.exit.code == 0)'"

check "run: the guest's exit code is the command's exit status" bash -c "
  timeout 60 '$nestlab' run '$guests/exitcode.elf' --append exit=42 >/dev/null; test \$? -eq 42"

check "run: a text file is refused with status 125 and a message naming the problem" bash -c "
  echo 'not a program' > '$work/notes.txt'
  timeout 60 '$nestlab' run '$work/notes.txt' 2> '$work/err'; rc=\$?
  test \$rc -eq 125 && grep -qi 'elf\|image' '$work/err'"

check "vhv create: a persistent VHV is ready" bash -c "
  timeout 60 '$nestlab' vhv create --name '$vhv' --json | jq -e '.state == \"ready\" and .name == \"$vhv\"'"

check "vm run --wait: the backdoor guest passes and its BRK exits are counted" bash -c "
  timeout 120 '$nestlab' vm run '$vhv' '$guests/backdoor.elf' --wait --json |
    jq -e '.exit.code == 0 and .exit.counters.BRK64 >= 10'"

check "vm stats: counters survive the guest's end" bash -c "
  timeout 60 '$nestlab' vm stats '$vhv' --json | jq -e '.counters.BRK64 >= 10'"

check "vm trace: the last exits are listed with their class" bash -c "
  timeout 60 '$nestlab' vm trace '$vhv' -n 5 --json | jq -s -e 'length >= 1 and all(.class != null)'"

check "vm run: a spinning guest keeps running after the command returns" bash -c "
  timeout 60 '$nestlab' vm run '$vhv' '$guests/spin.elf' --json | jq -e '.vm == 0' &&
  timeout 60 '$nestlab' vhv inspect '$vhv' --json | jq -e '.vm.state == \"running\"'"

check "vm wait --timeout: gives up with status 124 while the guest runs" bash -c "
  timeout 60 '$nestlab' vm wait '$vhv' --timeout 1 >/dev/null 2>&1; test \$? -eq 124"

check "vm guestinfo: a value set from the host reads back" bash -c "
  timeout 60 '$nestlab' vm guestinfo '$vhv' ci.build=1234 >/dev/null &&
  test \"\$(timeout 60 '$nestlab' vm guestinfo '$vhv' ci.build)\" = 1234"

check "vhv pause and resume: the state follows" bash -c "
  timeout 60 '$nestlab' vhv pause '$vhv' >/dev/null &&
  timeout 60 '$nestlab' vhv inspect '$vhv' --json | jq -e '.paused == true' &&
  timeout 60 '$nestlab' vhv list | grep '$vhv' | grep -q '(paused)' &&
  timeout 60 '$nestlab' vhv resume '$vhv' >/dev/null &&
  timeout 60 '$nestlab' vhv inspect '$vhv' --json | jq -e '.paused == false'"

check "vhv stats: the resource group reports CPU time and memory" bash -c "
  timeout 60 '$nestlab' vhv stats '$vhv' --json | jq -e '.usage.cpu_ns > 0 and .usage.memory.current > 0'"

check "vhv rm: the VHV is gone from the list" bash -c "
  timeout 60 '$nestlab' vhv rm '$vhv' >/dev/null &&
  timeout 60 '$nestlab' vhv list --json | jq -e 'map(.name) | index(\"$vhv\") == null'"

check "vm wait on a removed VHV: a clear error, status 1" bash -c "
  timeout 60 '$nestlab' vm wait '$vhv' 2> '$work/err'; rc=\$?
  test \$rc -eq 1 && grep -q 'no VHV' '$work/err'"

echo "1..$n"
if [ "$failed" -ne 0 ]; then
  echo "# $failed of $n checks failed"
  exit 1
fi
echo "# all $n checks passed"
