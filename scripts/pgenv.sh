# shellcheck shell=bash
#
# pgenv.sh: shared helpers for ccseg's scripts (demo.sh, test.sh). Source it, do not run it:
#
#     source scripts/pgenv.sh
#
# Functions:
#   ccseg_install_packages        apt-get install the Debian packages the project needs (only missing ones)
#   ccseg_build_install           make + make install against PostgreSQL 15
#   ccseg_start_server [conf...]  reuse the server named by PG* variables, or start a throwaway one
#   ccseg_stop_server             stop and remove the throwaway server (no-op for a reused one)
#   ccseg_server_is_throwaway     true if this shell started the server in use
#   ccseg_load_cc DBNAME          (re)create table cc_general in DBNAME and load data/cc_general.csv
#   ccseg_server_crashed          true if the throwaway server's log shows a backend killed by a signal
#   ccseg_psql [args...]          psql with -X and ON_ERROR_STOP
#
# The functions check every command themselves (`|| return 1`) so they behave the same whether
# or not the caller runs with `set -e` (bash ignores -e inside `if f; then` and `f || g`).

# Top directory of the checkout, found from this file's location (scripts/pgenv.sh).
CCSEG_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# PostgreSQL 15 as packaged by Debian. CCSEG_PG_BINDIR may point at another build of 15.
CCSEG_PG_BINDIR="${CCSEG_PG_BINDIR:-/usr/lib/postgresql/15/bin}"
CCSEG_PG_CONFIG="$CCSEG_PG_BINDIR/pg_config"

# Debian packages needed to build, run and test the extension.
CCSEG_PACKAGES=(
    build-essential          # cc, make
    postgresql-15            # server binaries: initdb, pg_ctl, postgres
    postgresql-server-dev-15 # pg_config, PGXS, server headers
    postgresql-15-cron       # pg_cron, used by the scheduled-retraining tests
    libipc-run-perl          # needed by PostgreSQL's TAP test framework
    python3-sklearn          # reference numerics for test/reference/*.py
    python3-pandas
    python3-psycopg2
    valgrind                 # memcheck over the unit tests
    clang-14                 # libFuzzer targets (test/fuzz)
    libclang-rt-14-dev       # the fuzzer and sanitizer runtimes for clang
    chromium                 # renders the HTML report to PNG in the report test
    fonts-liberation         # Arial/Helvetica-metric fonts for that rendering
)

# State of the throwaway server. Deliberately not exported: a child script (demo.sh run by
# test.sh) must never stop a server that its parent started.
_CCSEG_SERVER_DIR=""
CCSEG_SERVER_LOG="${CCSEG_SERVER_LOG:-}"

# Print a message on stderr, prefixed so it is clear which script said it.
ccseg_note() {
    echo "ccseg: $*" >&2
}

# psql from PostgreSQL 15, ignoring ~/.psqlrc and stopping at the first error.
ccseg_psql() {
    "$CCSEG_PG_BINDIR/psql" -X -v ON_ERROR_STOP=1 "$@"
}

# True if the Debian package $1 is fully installed.
_ccseg_package_installed() {
    dpkg -s "$1" 2>/dev/null | grep -qx 'Status: install ok installed'
}

# Install whichever of CCSEG_PACKAGES are missing. Runs `apt-get update` only if something is.
ccseg_install_packages() {
    local pkg missing=()
    for pkg in "${CCSEG_PACKAGES[@]}"; do
        _ccseg_package_installed "$pkg" || missing+=("$pkg")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        ccseg_note "all ${#CCSEG_PACKAGES[@]} required packages are installed"
        return 0
    fi
    if [ "$(id -u)" -ne 0 ]; then
        ccseg_note "missing Debian packages: ${missing[*]}"
        ccseg_note "installing them needs root; run: sudo apt-get install ${missing[*]}"
        return 1
    fi
    ccseg_note "installing: ${missing[*]}"
    # Recommends are skipped: every package needed is a hard dependency, and pandas alone
    # recommends a few hundred MB of extras.
    DEBIAN_FRONTEND=noninteractive apt-get update -q || return 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        "${missing[@]}" || return 1
    for pkg in "${missing[@]}"; do
        if ! _ccseg_package_installed "$pkg"; then
            ccseg_note "package $pkg is still not installed after apt-get install"
            return 1
        fi
    done
}

# Build the extension and install it into PostgreSQL 15. `make -s` hides the command lines but
# keeps compiler warnings and errors; with CCSEG_WERROR=1 (the test command sets it) warnings
# are errors.
ccseg_build_install() {
    if [ ! -x "$CCSEG_PG_CONFIG" ]; then
        ccseg_note "$CCSEG_PG_CONFIG not found: is postgresql-server-dev-15 installed?"
        return 1
    fi
    ccseg_note "building in $CCSEG_ROOT"
    make -C "$CCSEG_ROOT" -s -j "$(nproc)" PG_CONFIG="$CCSEG_PG_CONFIG" WERROR="${CCSEG_WERROR:-0}" || return 1
    ccseg_note "installing into $("$CCSEG_PG_CONFIG" --pkglibdir)"
    if ! make -C "$CCSEG_ROOT" -s install PG_CONFIG="$CCSEG_PG_CONFIG"; then
        [ "$(id -u)" -eq 0 ] || ccseg_note "make install writes into PostgreSQL's directories: run as root"
        return 1
    fi
}

# Run a command as the account that owns the throwaway server: `postgres` when we are root
# (PostgreSQL refuses to run as root), ourselves otherwise. The command runs from the server's
# directory, because the postgres account may not be allowed to read the current one.
_ccseg_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd "$_CCSEG_SERVER_DIR" && runuser -u postgres -- "$@")
    else
        (cd "$_CCSEG_SERVER_DIR" && "$@")
    fi
}

# Print the first port from 55432 upward that no PostgreSQL socket in a usual place uses.
# (The server listens only on a socket in its own fresh directory, so this is belt and braces.)
_ccseg_free_port() {
    local port dir used
    for port in $(seq 55432 55532); do
        used=0
        for dir in /tmp /var/run/postgresql "$_CCSEG_SERVER_DIR"; do
            if [ -e "$dir/.s.PGSQL.$port" ] || [ -e "$dir/.s.PGSQL.$port.lock" ]; then
                used=1
            fi
        done
        if [ "$used" -eq 0 ]; then
            echo "$port"
            return 0
        fi
    done
    ccseg_note "no free port between 55432 and 55532"
    return 1
}

# Use the server the environment names, or start a throwaway one.
#
# If PGHOST, PGPORT or PGDATABASE is set and `select 1` works there, that server is used as is
# (the extra settings are then NOT applied). Otherwise a fresh cluster is created in a temporary
# directory that holds both the data and the Unix socket (no TCP), owned by `postgres` when run
# as root. Arguments are extra postgresql.conf lines, e.g. "shared_preload_libraries = 'pg_cron'".
#
# Exports PGHOST PGPORT PGUSER PGDATABASE and CCSEG_SERVER_LOG. Call `ccseg_stop_server` when
# done, typically with `trap ccseg_stop_server EXIT`.
ccseg_start_server() {
    if [ -n "${PGHOST:-}${PGPORT:-}${PGDATABASE:-}" ]; then
        if PGCONNECT_TIMEOUT=5 ccseg_psql -q -At -c 'select 1' >/dev/null 2>&1; then
            ccseg_note "using the configured server: host=${PGHOST:-default} port=${PGPORT:-default}" \
                "database=${PGDATABASE:-default} user=${PGUSER:-$(id -un)}"
            if [ "$#" -gt 0 ]; then
                ccseg_note "not applied to that server (set them there if needed): $*"
            fi
            return 0
        fi
        ccseg_note "PGHOST/PGPORT/PGDATABASE are set but 'select 1' fails there;" \
            "starting a throwaway server instead"
    fi

    if [ ! -x "$CCSEG_PG_BINDIR/initdb" ]; then
        ccseg_note "$CCSEG_PG_BINDIR/initdb not found: is postgresql-15 installed?"
        return 1
    fi

    # A short path under /tmp: socket paths are limited to ~100 bytes, and postgres must be able
    # to reach the folder (it could not under root's own TMPDIR, say /root/tmp).
    _CCSEG_SERVER_DIR="$(mktemp -d /tmp/ccseg-pg.XXXXXX)" || return 1
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$_CCSEG_SERVER_DIR" || return 1
    fi
    local datadir="$_CCSEG_SERVER_DIR/data"
    export CCSEG_SERVER_LOG="$_CCSEG_SERVER_DIR/server.log"

    local port
    port="$(_ccseg_free_port)" || return 1

    ccseg_note "initdb in $datadir"
    if ! _ccseg_as_owner "$CCSEG_PG_BINDIR/initdb" -D "$datadir" --username=postgres \
        --auth=trust -E UTF8 --locale=C --no-sync >"$_CCSEG_SERVER_DIR/initdb.log" 2>&1; then
        cat "$_CCSEG_SERVER_DIR/initdb.log" >&2
        return 1
    fi

    # Appended to postgresql.conf: later lines win over the defaults above them.
    {
        echo ""
        echo "# --- added by ccseg scripts/pgenv.sh ---"
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '$_CCSEG_SERVER_DIR'"
        echo "port = $port"
        echo "fsync = off"
        local line
        for line in "$@"; do
            echo "$line"
        done
    } >>"$datadir/postgresql.conf" || return 1

    ccseg_note "starting PostgreSQL on socket $_CCSEG_SERVER_DIR port $port (log: $CCSEG_SERVER_LOG)"
    if ! _ccseg_as_owner "$CCSEG_PG_BINDIR/pg_ctl" -D "$datadir" -l "$CCSEG_SERVER_LOG" -w \
        start >/dev/null; then
        ccseg_note "the server did not start; end of $CCSEG_SERVER_LOG:"
        tail -n 30 "$CCSEG_SERVER_LOG" >&2 || true
        return 1
    fi

    export PGHOST="$_CCSEG_SERVER_DIR" PGPORT="$port" PGUSER=postgres PGDATABASE=postgres
    # These would override PGHOST/PGPORT, so drop whatever the caller had.
    unset PGHOSTADDR PGSERVICE
}

# True if this shell started the server in use (a throwaway one), false if it reuses one.
ccseg_server_is_throwaway() {
    [ -n "$_CCSEG_SERVER_DIR" ]
}

# Stop the throwaway server started by this shell and remove its directory, unless
# CCSEG_KEEP_SERVER=1 (then the stopped cluster and its log stay for inspection).
# Does nothing for a reused server or when no server was started. Safe to call twice.
ccseg_stop_server() {
    [ -n "$_CCSEG_SERVER_DIR" ] || return 0
    local dir="$_CCSEG_SERVER_DIR"
    if [ -f "$dir/data/postmaster.pid" ]; then
        _ccseg_as_owner "$CCSEG_PG_BINDIR/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null ||
            ccseg_note "pg_ctl stop failed for $dir/data"
    fi
    if [ "${CCSEG_KEEP_SERVER:-0}" = "1" ]; then
        ccseg_note "kept the stopped server in $dir (restart it with:" \
            "runuser -u postgres -- $CCSEG_PG_BINDIR/pg_ctl -D $dir/data -l $dir/server.log start)"
    else
        rm -rf "$dir"
    fi
    _CCSEG_SERVER_DIR=""
}

# (Re)create table cc_general in database $1 and load data/cc_general.csv into it.
# psql reads the CSV (client-side \copy), so the server never needs access to the checkout.
# Runs as one transaction: an existing cc_general is replaced only if the load succeeds.
ccseg_load_cc() {
    local db="${1:?usage: ccseg_load_cc DBNAME}"
    local csv="$CCSEG_ROOT/data/cc_general.csv"
    # Inside \copy the file name is a single-quoted literal: double any single quote.
    local csv_quoted="${csv//\'/\'\'}"
    ccseg_note "loading $csv into $db.cc_general"
    ccseg_psql -q -d "$db" --single-transaction \
        -c 'SET client_min_messages = warning' \
        -c 'DROP TABLE IF EXISTS cc_general' \
        -f "$CCSEG_ROOT/data/cc_general.sql" \
        -c "\\copy cc_general FROM '$csv_quoted' WITH (FORMAT csv, HEADER true)" \
        -c 'ANALYZE cc_general' || return 1
    ccseg_note "cc_general: $(ccseg_psql -At -d "$db" -c 'SELECT count(*) FROM cc_general') rows"
}

# True (0) if the throwaway server's log says a backend was terminated by a signal (a crash).
# False when there is no log to look at (a reused server), with a note.
ccseg_server_crashed() {
    if [ -z "$CCSEG_SERVER_LOG" ] || [ ! -f "$CCSEG_SERVER_LOG" ]; then
        ccseg_note "no server log to check for crashes (reused server?)"
        return 1
    fi
    grep -q 'terminated by signal' "$CCSEG_SERVER_LOG"
}
