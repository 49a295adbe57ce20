#!/usr/bin/env bash
#
# test.sh: ccseg's whole test suite (what CI runs through .ci/run).
#
# Steps, in order; each one is recorded as PASS or FAIL and the run goes on after a failure:
#   packages       the Debian packages (installed if missing; needs root then)
#   build          make WERROR=1 (warnings are errors) + make install
#   unittest       make unittest: standalone tests of the numeric core in src/core, then the
#                  same without the AVX2 clones (the same digest of results), under
#                  ASan+UBSan and valgrind, and the libFuzzer targets
#                  (CCSEG_FUZZ_SECONDS each, default 60)
#   server         a throwaway PostgreSQL 15 with pg_cron preloaded (or the server PG* names)
#   installcheck   make installcheck: pg_regress on test/sql/*.sql against that server
#   reference X    each test/reference/*.py, run by Debian's /usr/bin/python3 (scikit-learn)
#   integration X  each test/integration/*.sh against the same server (e.g. the report rendered
#                  in headless Chromium)
#   bench          test/bench/*.py --quick: one round of each benchmark (figures not judged)
#   demo           scripts/demo.sh against the same server; checks its output
#   no crash       the server log shows no backend terminated by a signal
#
# Without a server, the steps that need one are skipped with a note. Each step's output goes to a log
# file, printed only when the step fails. The last line is "ccseg: N passed, M failed";
# the exit status is nonzero if M > 0.
#
# Environment:
#   CCSEG_TEST_SERVER_CONF  extra postgresql.conf lines for the test server, one per line
#                           (default: preload pg_cron, with its jobs in database postgres)
#   CCSEG_KEEP_SERVER=1     keep the stopped test server's directory (data + server.log)
#   CCSEG_KEEP_LOGS=1       keep the step logs even when every step passed

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/pgenv.sh
source scripts/pgenv.sh
# the test command treats compiler warnings as errors, in the extension and the unit tests
export CCSEG_WERROR=1

# Extra settings for the test server: pg_cron must be preloaded for the scheduling tests.
if [ -n "${CCSEG_TEST_SERVER_CONF:-}" ]; then
    mapfile -t SERVER_CONF <<<"$CCSEG_TEST_SERVER_CONF"
else
    SERVER_CONF=(
        "shared_preload_libraries = 'pg_cron'"
        "cron.database_name = 'postgres'"
        # jobs run in background workers: the server listens on no TCP port
        "cron.use_background_workers = on"
        "max_worker_processes = 16"
    )
fi

LOG_DIR="$(mktemp -d /tmp/ccseg-test.XXXXXX)"
passed=0
failed=0
skipped=0
step_number=0
failed_steps=()
skipped_steps=()

cleanup() {
    ccseg_stop_server
    if [ "$failed" -eq 0 ] && [ "${CCSEG_KEEP_LOGS:-0}" != "1" ]; then
        rm -rf "$LOG_DIR"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Milliseconds since the epoch.
now_ms() {
    echo $(($(date +%s%N) / 1000000))
}

# Print a failed step's log, at most its last 400 lines.
show_log() {
    local log="$1" lines
    lines="$(wc -l <"$log")"
    echo "----- output of the failed step ($log) -----"
    if [ "$lines" -gt 400 ]; then
        echo "[... first $((lines - 400)) of $lines lines left out ...]"
    fi
    tail -n 400 "$log"
    echo "----- end of output -----"
}

# Run one step and record it.  Usage: run_step MODE NAME COMMAND [ARGS...]
#   MODE "subshell": the command runs in a subshell with `set -e` (the usual case);
#   MODE "here": it runs in this shell, so the variables it exports stay (the server step).
run_step() {
    local mode="$1" name="$2"
    shift 2
    step_number=$((step_number + 1))
    local log start rc ms
    log="$LOG_DIR/$(printf '%02d' "$step_number")-${name//[^A-Za-z0-9_.-]/_}.log"
    start="$(now_ms)"

    # `set -e` is ignored inside `if cmd` and `cmd || ...`, so the status is taken by hand.
    set +e
    if [ "$mode" = "here" ]; then
        "$@" >"$log" 2>&1
    else
        (
            set -e
            "$@"
        ) >"$log" 2>&1
    fi
    rc=$?
    set -e

    ms=$(($(now_ms) - start))
    if [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
        printf 'PASS  %-36s %4d.%01d s\n' "$name" $((ms / 1000)) $((ms % 1000 / 100))
    else
        failed=$((failed + 1))
        failed_steps+=("$name")
        printf 'FAIL  %-36s %4d.%01d s  (exit %d)\n' "$name" $((ms / 1000)) $((ms % 1000 / 100)) "$rc"
        show_log "$log"
    fi
}

# Record a step that cannot run.  Usage: skip_step NAME REASON
skip_step() {
    skipped=$((skipped + 1))
    skipped_steps+=("$1")
    printf 'SKIP  %-36s (%s)\n' "$1" "$2"
}

# --- the steps ------------------------------------------------------------------------------

step_unittest() {
    make unittest PG_CONFIG="$CCSEG_PG_CONFIG" WERROR=1
}

step_unittest_clones() {
    make unittest-clones PG_CONFIG="$CCSEG_PG_CONFIG" WERROR=1
}

step_unittest_asan() {
    make unittest-asan PG_CONFIG="$CCSEG_PG_CONFIG" WERROR=1
}

step_unittest_valgrind() {
    make unittest-valgrind PG_CONFIG="$CCSEG_PG_CONFIG" WERROR=1
}

# libFuzzer on the core: replay the saved crashes, then a short run per target
step_fuzz() {
    make fuzz PG_CONFIG="$CCSEG_PG_CONFIG" FUZZ_SECONDS="${CCSEG_FUZZ_SECONDS:-60}"
}

step_installcheck() {
    if make installcheck PG_CONFIG="$CCSEG_PG_CONFIG"; then
        return 0
    fi
    if [ -f regression.diffs ]; then
        echo "----- regression.diffs (first 200 lines) -----"
        head -n 200 regression.diffs
    fi
    return 1
}

# True if the demo output's section whose "== " heading contains $2 has a line matching regex $3.
demo_section_has() {
    awk -v heading="$2" -v pattern="$3" '
        /^== / { inside = index($0, heading) > 0 }
        inside && $0 ~ pattern { found = 1 }
        END { exit !found }' "$1"
}

# Print the segment numbers (first column) of the segment-sizes table, sorted, space separated.
demo_segments() {
    awk '
        /^== / { inside = index($0, "== Segment sizes") == 1 }
        inside && $1 ~ /^[0-9]+$/ && $2 == "|" { print $1 }' "$1" | sort -n | tr '\n' ' '
}

step_demo() {
    local out="$LOG_DIR/demo.out"
    CCSEG_DEMO_DB=ccseg_demo bash scripts/demo.sh 2>&1 | tee "$out"
    echo "--- checking the demo output"
    if ! demo_section_has "$out" "== Train" '^\([0-9]+ rows?\)$'; then
        echo "no result table after the '== Train' heading (ccseg_train)"
        return 1
    fi
    local segments
    segments="$(demo_segments "$out")"
    if [ "$segments" != "1 2 3 4 5 6 7 8 " ]; then
        echo "expected segments 1..8 in the segment sizes, found: ${segments:-none}"
        return 1
    fi
    echo "ok: ccseg_train returned a result and customers fall in segments $segments"
}

step_no_crash() {
    if ccseg_server_crashed; then
        echo "the server log shows a backend terminated by a signal:"
        grep -n -B 2 -A 5 'terminated by signal' "$CCSEG_SERVER_LOG" | head -n 100
        return 1
    fi
    echo "no 'terminated by signal' in $CCSEG_SERVER_LOG"
}

echo "ccseg tests in $CCSEG_ROOT (step logs in $LOG_DIR)"

run_step subshell "packages" ccseg_install_packages
run_step subshell "build" ccseg_build_install

run_step subshell "unittest" step_unittest
run_step subshell "unittest simd clones" step_unittest_clones
run_step subshell "unittest asan+ubsan" step_unittest_asan
run_step subshell "unittest valgrind" step_unittest_valgrind
run_step subshell "fuzz" step_fuzz

run_step here "server" ccseg_start_server "${SERVER_CONF[@]}"
server_up=0
if PGCONNECT_TIMEOUT=5 ccseg_psql -q -At -c 'select 1' >/dev/null 2>&1; then
    server_up=1
fi

if [ "$server_up" -eq 0 ]; then
    skip_step "installcheck" "no server"
else
    run_step subshell "installcheck" step_installcheck
fi

if [ "$server_up" -eq 0 ]; then
    skip_step "reference" "no server"
else
    for script in test/reference/*.py; do
        run_step subshell "reference $(basename "$script")" /usr/bin/python3 "$script"
    done
fi

if [ "$server_up" -eq 0 ]; then
    skip_step "integration" "no server"
else
    for script in test/integration/*.sh; do
        [ -e "$script" ] || continue
        run_step subshell "integration $(basename "$script" .sh)" bash "$script"
    done
fi

if [ "$server_up" -eq 0 ]; then
    skip_step "bench" "no server"
else
    # reduced benchmarks: one round each, so that the benchmark paths keep working
    run_step subshell "bench train (quick)" /usr/bin/python3 test/bench/bench_train.py --quick
    run_step subshell "bench elbow (quick)" /usr/bin/python3 test/bench/bench_elbow.py --quick
    run_step subshell "bench scale (quick)" /usr/bin/python3 test/bench/bench_scale.py --quick
    run_step subshell "bench large (quick)" /usr/bin/python3 test/bench/bench_large.py --quick
    run_step subshell "bench predict (quick)" /usr/bin/python3 test/bench/bench_predict.py --quick
    run_step subshell "bench ingest (quick)" /usr/bin/python3 test/bench/bench_ingest.py --quick
    run_step subshell "bench cap (quick)" /usr/bin/python3 test/bench/bench_cap.py --quick
fi

if [ "$server_up" -eq 0 ]; then
    skip_step "demo" "no server"
else
    run_step subshell "demo" step_demo
fi

if ccseg_server_is_throwaway; then
    run_step subshell "no crash" step_no_crash
else
    skip_step "no crash" "no log of a throwaway server to read"
fi

# Stop the server now so that nothing is printed after the summary.
ccseg_stop_server

echo
if [ "$failed" -gt 0 ]; then
    echo "failed steps: ${failed_steps[*]}"
fi
if [ "$skipped" -gt 0 ]; then
    echo "skipped steps: ${skipped_steps[*]}"
fi
if [ "$failed" -gt 0 ] || [ "${CCSEG_KEEP_LOGS:-0}" = "1" ]; then
    echo "step logs kept in $LOG_DIR"
fi
echo "ccseg: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
