#!/usr/bin/env bash
#
# citus_cluster.sh: a throwaway Citus cluster on 127.0.0.1 (a coordinator and
# two workers, each its own initdb'd data directory), used by
# test/integration/citus.sh and test/bench/bench_citus.py.
#
#   citus_cluster.sh install        install Citus from its prebuilt tarball into
#                                   the PostgreSQL tree of CCSEG_PG_BINDIR
#   citus_cluster.sh start DIR      create and start the three nodes under DIR
#                                   (a new directory); prints "coordinator PORT",
#                                   "worker PORT", "worker PORT" on stdout
#   citus_cluster.sh stop DIR       stop every node under DIR and remove DIR
#
# The tarball is looked for in $CCSEG_CITUS_DIR, then $CCSEG_ROOT/../shared/citus,
# then /work/shared/citus; nothing is fetched from the network.  The servers run
# as the postgres user when this runs as root, listen on 127.0.0.1 only, on free
# TCP ports chosen at start, trust connections from 127.0.0.1, and preload citus.
# ccseg must already be installed (make install) in the same PostgreSQL tree.
set -euo pipefail

CCSEG_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
CCSEG_PG_BINDIR="${CCSEG_PG_BINDIR:-/usr/lib/postgresql/15/bin}"
CITUS_TARBALL_NAME=citus-13.2.2-pg15-debian12-amd64.tar.gz

die() {
    echo "citus_cluster.sh: $*" >&2
    exit 1
}

# The directory holding the Citus tarball and install.sh.
citus_dir() {
    local d
    for d in "${CCSEG_CITUS_DIR:-}" "$CCSEG_ROOT/../shared/citus" /work/shared/citus; do
        if [ -n "$d" ] && [ -f "$d/$CITUS_TARBALL_NAME" ] && [ -f "$d/install.sh" ]; then
            (cd "$d" && pwd)
            return 0
        fi
    done
    return 1
}

# Install Citus into the tree of CCSEG_PG_BINDIR (ROOT=/ for Debian's own).
install_citus() {
    local pkglib root dir
    pkglib="$("$CCSEG_PG_BINDIR/pg_config" --pkglibdir)"
    if [ -f "$pkglib/citus.so" ] &&
        grep -q "default_version = '13.2-1'" "$("$CCSEG_PG_BINDIR/pg_config" --sharedir)/extension/citus.control" 2>/dev/null; then
        echo "Citus 13.2.2 is already installed in $pkglib" >&2
        return 0
    fi
    dir="$(citus_dir)" || die "no Citus tarball ($CITUS_TARBALL_NAME with install.sh) in \$CCSEG_CITUS_DIR (${CCSEG_CITUS_DIR:-unset}), $CCSEG_ROOT/../shared/citus or /work/shared/citus"
    case "$CCSEG_PG_BINDIR" in
        */usr/lib/postgresql/15/bin) root="${CCSEG_PG_BINDIR%/usr/lib/postgresql/15/bin}" ;;
        *) die "CCSEG_PG_BINDIR ($CCSEG_PG_BINDIR) does not end in /usr/lib/postgresql/15/bin" ;;
    esac
    [ -n "$root" ] || root=/
    echo "installing Citus from $dir into ROOT=$root" >&2
    ROOT="$root" bash "$dir/install.sh" "$dir/$CITUS_TARBALL_NAME" >&2
}

# Run a command as the owner of the servers: postgres when we are root.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# A TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

psql_at() {
    local port="$1"
    shift
    "$CCSEG_PG_BINDIR/psql" -X -v ON_ERROR_STOP=1 -q -At -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"
}

start_node() {
    local dir="$1" name="$2" port="$3"
    local data="$dir/$name"
    as_owner "$CCSEG_PG_BINDIR/initdb" -D "$data" --username=postgres --auth=trust -E UTF8 \
        --locale=C --no-sync >"$dir/$name-initdb.log" 2>&1 ||
        { cat "$dir/$name-initdb.log" >&2; die "initdb of $name failed"; }
    {
        echo ""
        echo "# --- added by ccseg test/integration/lib/citus_cluster.sh ---"
        echo "listen_addresses = '127.0.0.1'"
        echo "port = $port"
        echo "unix_socket_directories = '$dir'"
        echo "shared_preload_libraries = 'citus'"
        echo "fsync = off"
        echo "synchronous_commit = off"
        echo "full_page_writes = off"
        echo "max_connections = 60"
        echo "shared_buffers = 128MB"
        echo "max_wal_size = 2GB"
        echo "citus.log_remote_commands = off"
    } >>"$data/postgresql.conf"
    # only loopback, and without a password (a test cluster)
    printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' >"$data/pg_hba.conf"
    as_owner "$CCSEG_PG_BINDIR/pg_ctl" -D "$data" -l "$dir/$name.log" -w start >/dev/null ||
        { tail -n 30 "$dir/$name.log" >&2; die "$name did not start"; }
    psql_at "$port" -c "CREATE EXTENSION citus" ||
        { tail -n 30 "$dir/$name.log" >&2; die "CREATE EXTENSION citus failed on $name"; }
}

start_cluster() {
    local dir="$1" cport w1 w2
    [ ! -e "$dir" ] || die "$dir exists"
    mkdir -p "$dir"
    [ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
    [ -f "$("$CCSEG_PG_BINDIR/pg_config" --pkglibdir)/citus.so" ] ||
        die "Citus is not installed in $("$CCSEG_PG_BINDIR/pg_config" --pkglibdir) (run: $0 install)"
    cport="$(free_port)"
    start_node "$dir" coordinator "$cport"
    w1="$(free_port)"
    start_node "$dir" worker1 "$w1"
    w2="$(free_port)"
    start_node "$dir" worker2 "$w2"
    psql_at "$cport" -c "SELECT citus_set_coordinator_host('127.0.0.1', $cport)" >/dev/null
    psql_at "$cport" -c "SELECT citus_add_node('127.0.0.1', $w1)" >/dev/null
    psql_at "$cport" -c "SELECT citus_add_node('127.0.0.1', $w2)" >/dev/null
    echo "coordinator $cport"
    echo "worker $w1"
    echo "worker $w2"
}

stop_cluster() {
    local dir="$1" node
    [ -d "$dir" ] || return 0
    for node in worker2 worker1 coordinator; do
        if [ -f "$dir/$node/postmaster.pid" ]; then
            as_owner "$CCSEG_PG_BINDIR/pg_ctl" -D "$dir/$node" -m immediate -w stop >/dev/null 2>&1 ||
                echo "citus_cluster.sh: could not stop $dir/$node" >&2
        fi
    done
    if [ "${CCSEG_KEEP_CLUSTER:-0}" = 1 ]; then
        echo "citus_cluster.sh: kept the stopped cluster in $dir" >&2
    else
        rm -rf "$dir"
    fi
}

case "${1:-}" in
    install) install_citus ;;
    start) start_cluster "${2:?usage: $0 start DIR}" ;;
    stop) stop_cluster "${2:?usage: $0 stop DIR}" ;;
    *) die "usage: $0 install | start DIR | stop DIR" ;;
esac
