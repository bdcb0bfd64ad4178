#!/usr/bin/env bash
# Restore drill: base backup + WAL archive -> point-in-time recovery -> Orchard's own checks.
#
# Everything runs on a throwaway PostgreSQL 15 cluster in a temporary directory, on free ports
# of 127.0.0.1; nothing else is touched. Exit status 0 only when every step passed.
#
#   ops/restore_drill.sh                 # from the repository root (or anywhere)
#
# Environment (all optional):
#   PG_BIN        PostgreSQL binaries            (default /usr/lib/postgresql/15/bin)
#   ORCHARD_BIN   the orchard command            (default <repo>/.venv/bin/orchard)
#   DRILL_PORT    primary's port                 (default: a free port)
#   DRILL_RESTORE_PORT  restored copy's port     (default: a free port)
#   DRILL_MEMBERS members per seed round         (default 300)
#   ORCHARD_TREE  run the app's code from this directory (see below)
#   KEEP_DRILL_DIR=1  keep the temporary directory (logs, data directories) for inspection
#
# When run as root the server binaries run as the `postgres` user (PostgreSQL refuses root).
set -Eeuo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
ORCHARD_BIN=${ORCHARD_BIN:-$REPO/.venv/bin/orchard}
MEMBERS=${DRILL_MEMBERS:-300}
DB=orchard_drill
# ORCHARD_TREE=DIR runs the app's code from DIR (e.g. a `git archive HEAD` snapshot) instead of
# the working tree, with the same virtualenv: for a drill while the checkout is being edited.
if [ -n "${ORCHARD_TREE:-}" ]; then
    export PYTHONPATH=$ORCHARD_TREE${PYTHONPATH:+:$PYTHONPATH}
fi
START=$EPOCHREALTIME

step() { printf '[%6.1fs] %s\n' "$(awk -v a="$START" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')" "$*"; }
fail() { step "FAIL: $*"; exit 1; }

if [ "$(id -u)" = 0 ]; then
    AS_PG=(runuser -u postgres --)
    PG_USER=postgres
else
    AS_PG=()
    PG_USER=$(id -un)
fi

free_port() {
    "$REPO/.venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

WORK=$(mktemp -d /tmp/orchard-restore-drill.XXXXXX)
chmod 755 "$WORK"
PRIMARY=$WORK/primary
RESTORED=$WORK/restored
ARCHIVE=$WORK/wal-archive
BASE=$WORK/base-backup
mkdir -p "$ARCHIVE" "$BASE" "$WORK/run"
if [ "$(id -u)" = 0 ]; then chown postgres: "$WORK" "$ARCHIVE" "$BASE" "$WORK/run"; fi

PORT=${DRILL_PORT:-$(free_port)}
RPORT=${DRILL_RESTORE_PORT:-$(free_port)}
[ "$PORT" != "$RPORT" ] || RPORT=$(free_port)

cleanup() {
    local status=$?
    set +e
    for dir in "$RESTORED" "$PRIMARY"; do
        if [ -f "$dir/postmaster.pid" ]; then
            "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$dir" -m immediate stop >/dev/null 2>&1
        fi
    done
    if [ "${KEEP_DRILL_DIR:-0}" = 1 ]; then
        echo "kept $WORK"
    else
        rm -rf "$WORK"
    fi
    if [ $status = 0 ]; then
        step "restore drill PASSED"
    else
        step "restore drill FAILED (exit $status)"
    fi
    exit $status
}
trap cleanup EXIT
trap 'fail "line $LINENO: $BASH_COMMAND"' ERR

psql_at() {  # psql_at PORT SQL -> one unaligned value
    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U "$PG_USER" -d "$DB" -Atc "$2"
}

orchard_at() {  # orchard_at PORT ARGS...
    ORCHARD_DATABASE_URL="postgres://$PG_USER@127.0.0.1:$1/$DB" ORCHARD_SECRET_KEY=restore-drill-secret \
        ORCHARD_ENV=development "$ORCHARD_BIN" "${@:2}"
}

counts_sql="SELECT (SELECT count(*) FROM member) || ' members, ' ||
                   (SELECT count(*) FROM points_journal) || ' journals, ' ||
                   (SELECT count(*) FROM points_entry) || ' entries'"

# ---- 1. primary with WAL archiving ----------------------------------------------------------
step "1. initdb primary in $PRIMARY (port $PORT), archive_mode=on -> $ARCHIVE"
"${AS_PG[@]}" "$PG_BIN/initdb" -D "$PRIMARY" -U "$PG_USER" -A trust --no-sync -E UTF8 >"$WORK/initdb.log" 2>&1 \
    || { cat "$WORK/initdb.log"; fail "initdb"; }
cat >>"$PRIMARY/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$WORK/run'
wal_level = replica
archive_mode = on
archive_command = 'test ! -f $ARCHIVE/%f && cp %p $ARCHIVE/%f'
archive_timeout = 60
max_wal_senders = 4
fsync = off
EOF
"${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PRIMARY" -l "$WORK/primary.log" -w start >/dev/null || fail "primary start"
"$PG_BIN/createdb" -h 127.0.0.1 -p "$PORT" -U "$PG_USER" "$DB"

# ---- 2. migrations and a first round of writes ----------------------------------------------
step "2. orchard migrate + seed round A ($MEMBERS members, 3 stores, 5 mall items)"
orchard_at "$PORT" migrate 2>"$WORK/migrate.log" || { tail -5 "$WORK/migrate.log"; fail "orchard migrate"; }
orchard_at "$PORT" seed --members "$MEMBERS" --stores 3 --items 5 --history-days 90 --seed 1 \
    --keys-file "$WORK/seed-keys-a.json" 2>"$WORK/seed-a.log" | sed 's/^/         /' \
    || { tail -5 "$WORK/seed-a.log"; fail "seed round A"; }
A_COUNTS=$(psql_at "$PORT" "$counts_sql")
step "   after round A: $A_COUNTS"

# ---- 3. base backup -------------------------------------------------------------------------
step "3. pg_basebackup -> $BASE (tar, gzip, WAL streamed, checkpoint fast)"
"${AS_PG[@]}" "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PORT" -U "$PG_USER" -D "$BASE" \
    -Ft -z -X stream -c fast --label=restore-drill
step "   base backup: $(du -sh "$BASE" | cut -f1)"

# ---- 4. writes after the backup, before the target ------------------------------------------
step "4. seed round B (--append, $MEMBERS members): after the backup, before the target"
orchard_at "$PORT" seed --append --members "$MEMBERS" --stores 3 --history-days 90 --seed 2 \
    --keys-file "$WORK/seed-keys-b.json" 2>"$WORK/seed-b.log" | sed 's/^/         /' \
    || { tail -5 "$WORK/seed-b.log"; fail "seed round B"; }
B_COUNTS=$(psql_at "$PORT" "$counts_sql")
B_MEMBERS=$(psql_at "$PORT" "SELECT count(*) FROM member")
step "   after round B: $B_COUNTS"

# ---- 5. the recovery target ------------------------------------------------------------------
sleep 1
TARGET=$(psql_at "$PORT" "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")
sleep 1
step "5. recovery target time: $TARGET"

# ---- 6. writes after the target (must NOT be in the restored copy) ---------------------------
step "6. seed round C (--append, $MEMBERS members) + one SQL insert: after the target"
orchard_at "$PORT" seed --append --members "$MEMBERS" --stores 3 --history-days 90 --seed 3 \
    --keys-file "$WORK/seed-keys-c.json" 2>"$WORK/seed-c.log" | sed 's/^/         /' \
    || { tail -5 "$WORK/seed-c.log"; fail "seed round C"; }
psql_at "$PORT" "CREATE TABLE drill_after_target (at timestamptz DEFAULT now())" >/dev/null
C_COUNTS=$(psql_at "$PORT" "$counts_sql")
step "   after round C: $C_COUNTS"
[ "$C_COUNTS" != "$B_COUNTS" ] || fail "round C wrote nothing"

# Close the WAL segment holding round C and wait until the archiver has copied it.
LAST_WAL=$(psql_at "$PORT" "SELECT pg_walfile_name(pg_switch_wal())")
for _ in $(seq 1 60); do
    [ -f "$ARCHIVE/$LAST_WAL" ] && break
    sleep 0.5
done
[ -f "$ARCHIVE/$LAST_WAL" ] || fail "WAL segment $LAST_WAL never reached the archive"
step "   archived through $LAST_WAL ($(ls "$ARCHIVE" | wc -l) files in the archive)"

# The primary is "lost" now: the restore uses only the base backup and the archive.
"${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PRIMARY" -m fast stop >/dev/null
step "   primary stopped"

# ---- 7. point-in-time recovery ----------------------------------------------------------------
step "7. restore base backup into $RESTORED, recovery_target_time='$TARGET', port $RPORT"
"${AS_PG[@]}" mkdir -m 700 "$RESTORED"
"${AS_PG[@]}" tar -xzf "$BASE/base.tar.gz" -C "$RESTORED"
# pg_wal.tar holds the WAL streamed during the backup; the archive has the same segments too.
"${AS_PG[@]}" tar -xzf "$BASE/pg_wal.tar.gz" -C "$RESTORED/pg_wal"
# Checksums of every file against the backup's manifest (before the configuration is edited).
"${AS_PG[@]}" "$PG_BIN/pg_verifybackup" -n -m "$BASE/backup_manifest" "$RESTORED" | sed 's/^/         /' \
    || fail "pg_verifybackup"
cat >>"$RESTORED/postgresql.conf" <<EOF

# --- restore drill overrides ---
port = $RPORT
archive_mode = off
restore_command = 'cp $ARCHIVE/%f %p'
recovery_target_time = '$TARGET'
recovery_target_action = 'promote'
EOF
"${AS_PG[@]}" touch "$RESTORED/recovery.signal"
"${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$RESTORED" -l "$WORK/restored.log" -w -t 60 start >/dev/null \
    || { tail -20 "$WORK/restored.log"; fail "restored server did not start"; }
for _ in $(seq 1 120); do
    [ "$(psql_at "$RPORT" "SELECT pg_is_in_recovery()" 2>/dev/null)" = f ] && break
    sleep 0.5
done
[ "$(psql_at "$RPORT" "SELECT pg_is_in_recovery()")" = f ] || { tail -20 "$WORK/restored.log"; fail "still in recovery"; }
grep -E "recovery stopping|starting point-in-time recovery|archive recovery complete" "$WORK/restored.log" \
    | sed -E 's/^.*(LOG|FATAL): +/         server: /' || true

# ---- 8. checks on the restored copy ---------------------------------------------------------
R_COUNTS=$(psql_at "$RPORT" "$counts_sql")
step "8. restored copy: $R_COUNTS"
[ "$R_COUNTS" = "$B_COUNTS" ] || fail "restored counts ($R_COUNTS) differ from the counts at the target ($B_COUNTS)"
[ "$(psql_at "$RPORT" "SELECT count(*) FROM member")" = "$B_MEMBERS" ] || fail "member count"
[ -z "$(psql_at "$RPORT" "SELECT to_regclass('drill_after_target')")" ] \
    || fail "a write after the target (table drill_after_target) is in the restored copy"
step "   writes before the target present, writes after it absent"

step "   orchard ledger check (restored copy)"
orchard_at "$RPORT" ledger check 2>"$WORK/ledger-check.log" | sed 's/^/         /' \
    || { tail -5 "$WORK/ledger-check.log"; fail "orchard ledger check exited non-zero"; }
step "   orchard mall check (restored copy)"
orchard_at "$RPORT" mall check 2>"$WORK/mall-check.log" | sed 's/^/         /' \
    || { tail -5 "$WORK/mall-check.log"; fail "orchard mall check exited non-zero"; }
step "   orchard audit verify (restored copy)"
orchard_at "$RPORT" audit verify 2>"$WORK/audit-verify.log" | sed 's/^/         /' \
    || { tail -5 "$WORK/audit-verify.log"; fail "orchard audit verify exited non-zero"; }
