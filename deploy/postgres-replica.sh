#!/usr/bin/env bash
# A streaming replica of the local PostgreSQL primary, as a second cluster on this machine.
#
#   deploy/postgres-replica.sh            set it up (or check it), wait until it streams
#   deploy/postgres-replica.sh --status   show the replica's state and lag
#   deploy/postgres-replica.sh --remove   stop and drop it; drop the primary's slot, role and
#                                         pg_hba line (raised WAL settings, if any, stay)
#
# Options: --port N (replica, default 5433), --primary-port N (default 5432),
# --version N (PostgreSQL major, default: the newest under /etc/postgresql),
# --name NAME (replica cluster name, default "replica"), --timeout S (default 120).
#
# Debian's cluster tools (pg_createcluster, pg_ctlcluster) are used; run as root.  Rerunning
# is safe: every step first checks whether it has been done.  On the primary the script
# creates the role `kembar_replicator` (REPLICATION) and the physical slot `kembar_replica`
# (WAL is kept for the replica while it is down: drop the slot with --remove when the replica
# is gone for good), and puts one line into pg_hba.conf allowing replication connections for
# that role from 127.0.0.1, above the rules already there, then reloads.  With
# KEMBAR_REPLICATION_PASSWORD set the role gets that password and the line asks for it
# (scram-sha-256); without it the line is `trust`, like this machine's local connections.
# If wal_level or max_wal_senders are too low (PostgreSQL 10+ defaults are enough) they are
# raised in conf.d/50-kembar-replication.conf and the primary is restarted.
#
# Applications read from the replica with, for example:
#   DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5433/kembar
set -euo pipefail

PORT=5433
PRIMARY_PORT=5432
NAME=replica
TIMEOUT=120
ACTION=setup
PG_VERSION="$(ls /etc/postgresql 2>/dev/null | sort -n | tail -n 1 || true)"
ROLE=kembar_replicator
SLOT=kembar_replica
MARK="# kembar-replica"

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT="$2"; shift 2 ;;
    --primary-port) PRIMARY_PORT="$2"; shift 2 ;;
    --version) PG_VERSION="$2"; shift 2 ;;
    --name) NAME="$2"; shift 2 ;;
    --timeout) TIMEOUT="$2"; shift 2 ;;
    --remove) ACTION=remove; shift ;;
    --status) ACTION=status; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done

say() { echo "postgres-replica: $*"; }
die() { echo "postgres-replica: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (it uses pg_createcluster and edits the primary's pg_hba.conf)"
[ -n "$PG_VERSION" ] || die "no PostgreSQL cluster under /etc/postgresql"
case "$PORT$PRIMARY_PORT$TIMEOUT" in *[!0-9]*) die "ports and timeout are numbers" ;; esac
case "$NAME" in *[!a-zA-Z0-9_-]*|"") die "cluster name: letters, digits, _ and - only" ;; esac

PRIMARY_CONF=/etc/postgresql/$PG_VERSION/main
REPLICA_CONF=/etc/postgresql/$PG_VERSION/$NAME
REPLICA_DATA=/var/lib/postgresql/$PG_VERSION/$NAME
MARKER_CONF=$REPLICA_CONF/conf.d/50-kembar-standby.conf

as_postgres() { runuser -u postgres -- env PGOPTIONS="-c client_min_messages=warning" "$@"; }
# psql on the local socket as the postgres superuser (peer or trust on Debian).
primary_sql() { as_postgres psql -X -A -t -q -p "$PRIMARY_PORT" -d postgres -v ON_ERROR_STOP=1 -c "$1"; }
replica_sql() { as_postgres psql -X -A -t -q -p "$PORT" -d postgres -v ON_ERROR_STOP=1 -c "$1"; }
pgctl() { pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$@"; }
replica_exists() { [ -f "$REPLICA_CONF/postgresql.conf" ]; }
replica_is_ours() { [ -f "$MARKER_CONF" ]; }
replica_running() { as_postgres pg_isready -q -p "$PORT" >/dev/null 2>&1; }
hba_file() { primary_sql "SHOW hba_file"; }

streaming_state() {
  primary_sql "SELECT r.state FROM pg_stat_replication r
               JOIN pg_replication_slots s ON s.active_pid = r.pid
               WHERE s.slot_name = '$SLOT'" 2>/dev/null || true
}

show_status() {
  if ! replica_exists; then say "no cluster $PG_VERSION/$NAME"; return 1; fi
  if ! replica_running; then say "cluster $PG_VERSION/$NAME exists but is not running"; return 1; fi
  say "replica $PG_VERSION/$NAME on port $PORT: in recovery = $(replica_sql 'SELECT pg_is_in_recovery()')"
  primary_sql "SELECT 'state=' || r.state || ' sent=' || r.sent_lsn || ' replayed=' || r.replay_lsn
                      || ' lag_bytes=' || pg_wal_lsn_diff(r.sent_lsn, r.replay_lsn)
                      || ' replay_lag=' || coalesce(r.replay_lag::text, '0')
               FROM pg_stat_replication r JOIN pg_replication_slots s ON s.active_pid = r.pid
               WHERE s.slot_name = '$SLOT'" | sed 's/^/postgres-replica: /'
}

remove() {
  if replica_exists; then
    replica_is_ours || die "cluster $PG_VERSION/$NAME was not made by this script; not dropping it"
    say "dropping cluster $PG_VERSION/$NAME"
    pg_dropcluster --stop "$PG_VERSION" "$NAME"
  fi
  if as_postgres pg_isready -q -p "$PRIMARY_PORT"; then
    # The walsender ends a moment after the replica stops; the slot can then be dropped.
    for _ in $(seq 1 20); do
      [ "$(primary_sql "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$SLOT' AND active")" = 0 ] && break
      sleep 0.5
    done
    primary_sql "SELECT pg_drop_replication_slot('$SLOT') FROM pg_replication_slots WHERE slot_name = '$SLOT'" >/dev/null
    primary_sql "DROP ROLE IF EXISTS $ROLE"
    local hba; hba="$(hba_file)"
    if grep -q "$MARK" "$hba"; then
      sed -i "/$MARK/d" "$hba"
      primary_sql "SELECT pg_reload_conf()" >/dev/null
    fi
  else
    say "primary on port $PRIMARY_PORT is not running: its slot, role and pg_hba line are left"
  fi
  say "removed"
}

prepare_primary() {
  as_postgres pg_isready -q -p "$PRIMARY_PORT" || die "the primary is not answering on port $PRIMARY_PORT"
  [ "$(primary_sql 'SELECT pg_is_in_recovery()')" = f ] || die "port $PRIMARY_PORT is itself a standby"

  local wal_level senders slots restart=""
  wal_level="$(primary_sql 'SHOW wal_level')"
  senders="$(primary_sql 'SHOW max_wal_senders')"
  slots="$(primary_sql 'SHOW max_replication_slots')"
  if [ "$wal_level" = minimal ] || [ "$senders" -lt 2 ] || [ "$slots" -lt 1 ]; then
    say "raising wal_level/max_wal_senders/max_replication_slots on the primary (restart)"
    cat >"$PRIMARY_CONF/conf.d/50-kembar-replication.conf" <<EOF
$MARK: lets a streaming replica follow this server
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
EOF
    restart=yes
  fi

  if [ -n "${KEMBAR_REPLICATION_PASSWORD:-}" ]; then
    local method=scram-sha-256 password_sql
    password_sql="PASSWORD $(printf '%s' "$KEMBAR_REPLICATION_PASSWORD" | sed "s/'/''/g; s/^/'/; s/$/'/")"
  else
    local method=trust password_sql="PASSWORD NULL"
  fi
  primary_sql "DO \$\$BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
        CREATE ROLE $ROLE WITH REPLICATION LOGIN;
      END IF;
    END\$\$"
  # On standard input, not the command line: the password stays out of the process list.
  printf '%s;\n' "ALTER ROLE $ROLE WITH REPLICATION LOGIN $password_sql" |
    as_postgres psql -X -A -t -q -p "$PRIMARY_PORT" -d postgres -v ON_ERROR_STOP=1

  # pg_hba.conf is read top down and Debian's default asks replication connections for a
  # password: this line goes above every rule so that it is the one that applies.
  local hba line
  hba="$(hba_file)"
  line="host    replication     $ROLE  127.0.0.1/32  $method  $MARK"
  if ! grep -qxF "$line" "$hba"; then
    sed -i "/$MARK/d" "$hba"
    awk -v line="$line" '!done && $0 !~ /^[[:space:]]*(#|$)/ { print line; done = 1 } { print }
                         END { if (!done) print line }' "$hba" >"$hba.kembar-new"
    cat "$hba.kembar-new" >"$hba" && rm -f "$hba.kembar-new"
    say "pg_hba.conf: replication for $ROLE from 127.0.0.1 ($method)"
  fi

  if [ -n "$restart" ]; then
    pgctl main restart
  else
    primary_sql "SELECT pg_reload_conf()" >/dev/null
  fi

  if [ "$(primary_sql "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$SLOT'")" = 0 ]; then
    primary_sql "SELECT pg_create_physical_replication_slot('$SLOT')" >/dev/null
    say "created replication slot $SLOT"
  fi
}

standby_settings() {
  # A hot standby needs at least the primary's values of these (PostgreSQL refuses to start
  # otherwise); feedback keeps the primary's vacuum from cancelling long reads on the replica.
  echo "$MARK: standby made by deploy/postgres-replica.sh"
  echo "hot_standby = on"
  echo "hot_standby_feedback = on"
  echo "listen_addresses = '127.0.0.1'"
  primary_sql "SELECT name || ' = ' || setting FROM pg_settings WHERE name IN
               ('max_connections', 'max_worker_processes', 'max_wal_senders',
                'max_prepared_transactions', 'max_locks_per_transaction')"
}

build_replica() {
  if replica_exists; then
    replica_is_ours || die "cluster $PG_VERSION/$NAME exists and was not made by this script"
    say "rebuilding cluster $PG_VERSION/$NAME (it was not a working standby)"
    pgctl "$NAME" stop -m fast >/dev/null 2>&1 || true
  else
    say "creating cluster $PG_VERSION/$NAME on port $PORT"
    pg_createcluster "$PG_VERSION" "$NAME" --port "$PORT" >/dev/null
  fi
  standby_settings >"$MARKER_CONF"
  sync_client_auth
  find "$REPLICA_DATA" -mindepth 1 -delete
  say "copying the primary (pg_basebackup)"
  local env=()
  [ -n "${KEMBAR_REPLICATION_PASSWORD:-}" ] && env=(env "PGPASSWORD=$KEMBAR_REPLICATION_PASSWORD")
  as_postgres "${env[@]}" pg_basebackup -h 127.0.0.1 -p "$PRIMARY_PORT" -U "$ROLE" \
    -D "$REPLICA_DATA" -R -S "$SLOT" -X stream -c fast
  pgctl "$NAME" start
}

wait_streaming() {
  local deadline=$((SECONDS + TIMEOUT))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if replica_running && [ "$(replica_sql 'SELECT pg_is_in_recovery()' 2>/dev/null)" = t ] \
       && [ "$(streaming_state)" = streaming ]; then
      return 0
    fi
    sleep 1
  done
  return 1
}

# The replica answers the same clients as the primary: it gets the primary's pg_hba.conf.
sync_client_auth() {
  local hba target
  hba="$(hba_file)"
  target="$REPLICA_CONF/pg_hba.conf"
  if ! cmp -s "$hba" "$target"; then
    install -o postgres -g postgres -m 640 "$hba" "$target"
    if replica_running; then replica_sql "SELECT pg_reload_conf()" >/dev/null; fi
    say "replica pg_hba.conf: copied from the primary"
  fi
}

setup() {
  prepare_primary
  local healthy=""
  if replica_exists && replica_is_ours && [ -f "$REPLICA_DATA/standby.signal" ]; then
    replica_running || pgctl "$NAME" start || true
    if wait_streaming_briefly; then healthy=yes; fi
  fi
  if [ -z "$healthy" ]; then
    build_replica
    wait_streaming || { show_status || true; die "the replica did not start streaming within ${TIMEOUT}s"; }
  fi
  sync_client_auth
  show_status
  say "ready: DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:$PORT/<database>"
}

wait_streaming_briefly() { local TIMEOUT=15; wait_streaming; }

case "$ACTION" in
  setup) setup ;;
  remove) remove ;;
  status) show_status ;;
esac
