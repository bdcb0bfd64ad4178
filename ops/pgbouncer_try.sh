#!/usr/bin/env bash
# Orchard behind PgBouncer in transaction mode, tried end to end on throwaway servers.
#
# Starts its own PostgreSQL 15 cluster and its own pgbouncer (pool_mode = transaction, a small
# server pool so that client connections really share server connections) in a temporary
# directory on free ports of 127.0.0.1, then runs four cases:
#
#   A. the app's URL as is, pgbouncer as installed   -> expected to fail at connect
#   B. ignore_startup_parameters set, prepared-statement cache still on (the asyncpg default)
#                                                    -> expected to fail under concurrency
#   C. ignore_startup_parameters set + ?statement_cache_size=0 in ORCHARD_DATABASE_URL
#      -> migrate, seed, serve, GraphQL requests, a short Locust run with --check-invariants,
#         and a check of which session settings the app's connections really have
#   D. (after C) the server restarted with ORCHARD_REDIS_URL pointing at a port nothing
#      listens on: what /healthz, /readyz and GraphQL answer when Redis is down
#
# Needs: pgbouncer (Debian: apt-get install -y pgbouncer), PostgreSQL 15 binaries, the repo's
# .venv (locust included). Exit status 0 when case C passed; A, B and D are reported, not judged.
#
# Locust is a dev dependency (pyproject.toml, constraints.txt). When .venv has no `locust`, a side
# virtualenv is made at $LOCUST_VENV (default /tmp/orchard-locust-venv): locust pinned by
# constraints.txt, the app's packages seen through a .pth file, .venv itself left untouched.
#
# Environment: PG_BIN, LOCUST_SECONDS (default 20), LOCUST_USERS (default 40), LOCUST_VENV, KEEP_PGB_DIR=1.
set -Eeuo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
VENV=$REPO/.venv
PGBOUNCER=${PGBOUNCER:-$(command -v pgbouncer || echo /usr/sbin/pgbouncer)}
LOCUST_SECONDS=${LOCUST_SECONDS:-20}
LOCUST_USERS=${LOCUST_USERS:-40}
DB=orchard_pgb
# ORCHARD_TREE=DIR runs the app's code from DIR (e.g. a `git archive HEAD` snapshot) instead of
# the working tree, with the same virtualenv: for a drill while the checkout is being edited.
if [ -n "${ORCHARD_TREE:-}" ]; then
    export PYTHONPATH=$ORCHARD_TREE${PYTHONPATH:+:$PYTHONPATH}
fi
SECRET=pgbouncer-try-secret-key-long-enough-for-everything
START=$EPOCHREALTIME

step() { printf '[%6.1fs] %s\n' "$(awk -v a="$START" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')" "$*"; }
fail() { step "FAIL: $*"; exit 1; }
free_port() { "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

if [ -x "$VENV/bin/locust" ]; then
    LOCUST=$VENV/bin/locust
else
    LOCUST_VENV=${LOCUST_VENV:-/tmp/orchard-locust-venv}
    LOCUST=$LOCUST_VENV/bin/locust
    if [ ! -x "$LOCUST" ]; then
        step "making $LOCUST_VENV (locust from constraints.txt)"
        "$VENV/bin/python" -m venv "$LOCUST_VENV"
        "$LOCUST_VENV/bin/pip" install -q -c "$REPO/constraints.txt" "locust$(grep -m1 '^locust==' "$REPO/constraints.txt" | sed 's/^locust//')" >/dev/null 2>&1 \
            || fail "pip install locust"
    fi
    "$VENV/bin/python" -c 'import site; print(site.getsitepackages()[0])' \
        >"$("$LOCUST_VENV/bin/python" -c 'import site; print(site.getsitepackages()[0])')/orchard-venv.pth"
    ln -sf "$VENV/bin/orchard" "$LOCUST_VENV/bin/orchard"  # --check-invariants runs orchard beside python
fi

[ -x "$PGBOUNCER" ] || fail "pgbouncer not found (apt-get install -y pgbouncer)"
if [ "$(id -u)" = 0 ]; then AS_PG=(runuser -u postgres --); PG_USER=postgres; else AS_PG=(); PG_USER=$(id -un); fi

WORK=$(mktemp -d /tmp/orchard-pgbouncer.XXXXXX)
chmod 755 "$WORK"
[ "$(id -u)" = 0 ] && chown postgres: "$WORK"
PGPORT=$(free_port); BPORT=$(free_port); APORT=$(free_port)
SERVER_PID=""

cleanup() {
    local status=$?
    set +e
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    [ -f "$WORK/pgbouncer.pid" ] && kill "$(cat "$WORK/pgbouncer.pid")" 2>/dev/null
    [ -f "$WORK/data/postmaster.pid" ] && "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1
    if [ "${KEEP_PGB_DIR:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
    step "done (exit $status)"
    exit $status
}
trap cleanup EXIT

# ---- PostgreSQL and pgbouncer ---------------------------------------------------------------
step "PostgreSQL 15 on 127.0.0.1:$PGPORT, database $DB"
"${AS_PG[@]}" "$PG_BIN/initdb" -D "$WORK/data" -U "$PG_USER" -A trust --no-sync >/dev/null
cat >>"$WORK/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$WORK'
fsync = off
max_connections = 100
EOF
"${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$WORK/data" -l "$WORK/postgres.log" -w start >/dev/null
"$PG_BIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U "$PG_USER" "$DB"

write_pgbouncer_ini() {  # $1: the ignore_startup_parameters line (or empty)
    cat >"$WORK/pgbouncer.ini" <<EOF
[databases]
$DB = host=127.0.0.1 port=$PGPORT dbname=$DB

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BPORT
unix_socket_dir = $WORK
auth_type = trust
auth_file = $WORK/userlist.txt
admin_users = $PG_USER
pool_mode = transaction
; fewer server connections than the app's pool (ORCHARD_DB_POOL_SIZE, 10 per worker)
default_pool_size = 4
max_client_conn = 400
logfile = $WORK/pgbouncer.log
pidfile = $WORK/pgbouncer.pid
$1
EOF
    echo "\"$PG_USER\" \"\"" >"$WORK/userlist.txt"
    [ "$(id -u)" = 0 ] && chown postgres: "$WORK/pgbouncer.ini" "$WORK/userlist.txt"
    true
}

start_pgbouncer() {
    if [ -f "$WORK/pgbouncer.pid" ]; then
        kill "$(cat "$WORK/pgbouncer.pid")"
        for _ in $(seq 1 50); do [ -f "$WORK/pgbouncer.pid" ] || break; sleep 0.1; done
    fi
    "${AS_PG[@]}" "$PGBOUNCER" -d "$WORK/pgbouncer.ini"
    for _ in $(seq 1 50); do
        "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$BPORT" -d "$DB" && return 0
        sleep 0.1
    done
    fail "pgbouncer did not start: $(tail -3 "$WORK/pgbouncer.log")"
}

orchard() {  # orchard URL ARGS...
    ORCHARD_DATABASE_URL="$1" ORCHARD_SECRET_KEY=$SECRET "$VENV/bin/orchard" "${@:2}"
}

last_error() {  # the last error line of an orchard log (JSON lines or a traceback)
    grep -E 'Error|error|FATAL' "$1" | tail -1 | cut -c1-400
}

# Many concurrent statements outside transactions and inside them, through the app's own pool
# (tortoise_config): what the GraphQL server does under load, without HTTP.
concurrency_probe() {  # URL
    ORCHARD_DATABASE_URL="$1" ORCHARD_SECRET_KEY=$SECRET "$VENV/bin/python" - <<'EOF'
import asyncio, collections
from infra import db
from infra.settings import load_settings
from tortoise.transactions import in_transaction

async def main():
    await db.init_db(load_settings())
    errors = collections.Counter()
    async def one(i):
        try:
            if i % 2:
                await db.fetch("SELECT count(*) AS n FROM member WHERE id > $1", i)
            else:
                async with in_transaction() as conn:
                    await db.fetch("SELECT count(*) AS n FROM points_account WHERE id > $1", i, connection=conn)
        except Exception as exc:
            errors[f"{type(exc).__name__}: {str(exc)[:160]}"] += 1
    await asyncio.gather(*(one(i) for i in range(400)))
    await db.close_db()
    print(f"400 statements, {sum(errors.values())} failed")
    for text, n in errors.most_common(4):
        print(f"  {n} x {text}")
asyncio.run(main())
EOF
}

show_settings() {  # URL: SHOW through the app's own pool, beside what the app asks for
    ORCHARD_DATABASE_URL="$1" ORCHARD_SECRET_KEY=$SECRET "$VENV/bin/python" - <<'EOF' | sed 's/^/         /'
import asyncio
from infra import db
from infra.settings import load_settings
async def main():
    await db.init_db(load_settings())
    asked = db.tortoise_config(load_settings())["connections"]["default"]["credentials"]["server_settings"]
    for name in ("statement_timeout", "lock_timeout", "application_name"):
        rows = await db.fetch(f"SHOW {name}")
        print(f"{name} = {list(rows[0].values())[0]!r}  (the app asks for {asked[name]!r})")
    await db.close_db()
asyncio.run(main())
EOF
}

DIRECT_URL="postgres://$PG_USER@127.0.0.1:$PGPORT/$DB"
BOUNCER_URL="postgres://$PG_USER@127.0.0.1:$BPORT/$DB"

# ---- A: as is ---------------------------------------------------------------------------------
write_pgbouncer_ini ""
start_pgbouncer
step "pgbouncer $("$PGBOUNCER" --version | head -1 | cut -d' ' -f2) on 127.0.0.1:$BPORT, pool_mode=transaction, default_pool_size=4"
step "A. orchard migrate through pgbouncer, URL as is ($BOUNCER_URL)"
if orchard "$BOUNCER_URL" migrate 2>"$WORK/a.log"; then
    step "   A: migrate succeeded"
else
    step "   A: migrate FAILED (expected): $(last_error "$WORK/a.log")"
fi

# ---- B: startup parameters ignored, statement cache on --------------------------------------
write_pgbouncer_ini "ignore_startup_parameters = statement_timeout,lock_timeout"
start_pgbouncer
step "B. ignore_startup_parameters = statement_timeout,lock_timeout; asyncpg statement cache on (default)"
orchard "$DIRECT_URL" migrate 2>"$WORK/migrate-direct.log" || fail "migrate directly: $(last_error "$WORK/migrate-direct.log")"
orchard "$DIRECT_URL" seed --members 500 --stores 3 --items 10 --history-days 60 --keys-file "$WORK/keys.json" \
    2>"$WORK/seed.log" | sed 's/^/         /' || fail "seed directly: $(last_error "$WORK/seed.log")"
if orchard "$BOUNCER_URL" migrate 2>"$WORK/b-migrate.log"; then
    step "   B: orchard migrate succeeded (nothing pending)"
else
    step "   B: orchard migrate FAILED: $(last_error "$WORK/b-migrate.log")"
fi
step "   B: 400 concurrent statements through the app's pool:"
concurrency_probe "$BOUNCER_URL" 2>"$WORK/b-probe.log" | sed 's/^/         /' || step "   B: probe crashed: $(last_error "$WORK/b-probe.log")"
step "   B: orchard ledger check:"
orchard "$BOUNCER_URL" ledger check 2>"$WORK/b-check.log" | sed 's/^/         /' \
    || step "   B: ledger check FAILED: $(last_error "$WORK/b-check.log")"

# ---- C: statement cache off -----------------------------------------------------------------
URL="$BOUNCER_URL?statement_cache_size=0"
start_pgbouncer  # fresh server connections: no statements left over from B
step "C. ORCHARD_DATABASE_URL=$URL"
orchard "$URL" migrate 2>"$WORK/c-migrate.log" || fail "C: migrate: $(last_error "$WORK/c-migrate.log")"
step "   C: orchard migrate: ok"
orchard "$URL" seed --append --members 500 --stores 3 --history-days 60 --seed 2 --keys-file "$WORK/keys-c.json" \
    2>"$WORK/c-seed.log" | sed 's/^/         /' || fail "C: seed --append: $(last_error "$WORK/c-seed.log")"
step "   C: orchard seed --append (COPY through pgbouncer): ok"
step "   C: 400 concurrent statements through the app's pool:"
concurrency_probe "$URL" 2>"$WORK/c-probe.log" | sed 's/^/         /' || fail "C: probe: $(last_error "$WORK/c-probe.log")"
grep -q ", 0 failed" <(concurrency_probe "$URL" 2>/dev/null) || fail "C: statements failed through pgbouncer"

step "   C: session settings the app's connections get (SHOW through the app's pool):"
show_settings "$URL"
# pgbouncer dropped the app's statement_timeout and lock_timeout: set them on the server instead
# (in production: ALTER ROLE <the app's role> ..., with migrations on a direct connection).
"$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PGPORT" -U "$PG_USER" -d "$DB" \
    -c "ALTER DATABASE $DB SET statement_timeout = '5s'" -c "ALTER DATABASE $DB SET lock_timeout = '2s'"
start_pgbouncer  # new server connections pick the settings up
step "   C: after ALTER DATABASE $DB SET statement_timeout = '5s', lock_timeout = '2s':"
show_settings "$URL"

step "   C: orchard serve --no-demo on 127.0.0.1:$APORT"
(cd "$WORK" && exec env ORCHARD_DATABASE_URL="$URL" ORCHARD_SECRET_KEY=$SECRET \
    "$VENV/bin/orchard" serve --no-demo --host 127.0.0.1 --port "$APORT" >"$WORK/serve.log" 2>&1) &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$APORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
step "   C: GET /healthz -> $(curl -sS "http://127.0.0.1:$APORT/healthz")"
step "   C: GET /readyz  -> $(curl -sS "http://127.0.0.1:$APORT/readyz")"
gql() {  # gql JSON [TOKEN]
    curl -sS "http://127.0.0.1:$APORT/graphql" -H 'content-type: application/json' \
        ${2:+-H "authorization: Bearer $2"} -d "$1"
}
LOGIN=$(gql '{"query":"mutation { staffLogin(input: {email: \"seed-admin@orchard.test\", password: \"seed-admin-password\"}) { token errors { code } } }"}')
TOKEN=$("$VENV/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["data"]["staffLogin"]["token"] or "")' <<<"$LOGIN")
[ -n "$TOKEN" ] || fail "C: staffLogin: $LOGIN"
step "   C: staffLogin -> token (${#TOKEN} chars)"
ITEMS=$(gql '{"query":"query { mallItems(first: 3) { edges { node { name stockRemaining } } } }"}' "$TOKEN")
step "   C: mallItems(first: 3) -> ${ITEMS:0:200}"
grep -q '"errors"' <<<"$ITEMS" && fail "C: mallItems answered errors"

step "   C: locust peak-hour, $LOCUST_USERS users, ${LOCUST_SECONDS}s, --check-invariants"
set +e
(cd "$WORK" && ORCHARD_DATABASE_URL="$URL" ORCHARD_SECRET_KEY=$SECRET timeout $((LOCUST_SECONDS + 120)) \
    "$LOCUST" -f "${ORCHARD_TREE:-$REPO}/loadtests/locustfile.py" --headless --host "http://127.0.0.1:$APORT" \
    --scenario peak-hour --keys-file "$WORK/keys-c.json" -u "$LOCUST_USERS" -r 20 -t "${LOCUST_SECONDS}s" \
    --think-scale 0.1 --check-invariants --only-summary >"$WORK/locust.out" 2>"$WORK/locust.err")
LOCUST_STATUS=$?
set -e
grep -E "Aggregated|PASS|FAIL|ledger check|stock check|CPU per request" "$WORK/locust.out" "$WORK/locust.err" \
    | sed -E 's/^[^:]*:/         /' | cut -c1-200 || true
grep -E "^ *[0-9]+ +(POST|GET)|Error|error" "$WORK/locust.err" | grep -v "^.*INFO" | head -8 | sed 's/^/         /' || true
step "   C: locust exit status $LOCUST_STATUS"
SERVER_ERRORS=$(grep -c '"level": "error"' "$WORK/serve.log" || true)
step "   C: server log: $SERVER_ERRORS error line(s)"
[ "$SERVER_ERRORS" = 0 ] || grep '"level": "error"' "$WORK/serve.log" | head -3 | cut -c1-300 | sed 's/^/         /'
echo "SHOW POOLS;" | "$PG_BIN/psql" -X -h 127.0.0.1 -p "$BPORT" -U "$PG_USER" pgbouncer 2>/dev/null | sed 's/^/         /' | head -6 || true
C_STATUS=$LOCUST_STATUS
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""

# ---- D: Redis down ----------------------------------------------------------------------------
DEAD_REDIS_PORT=$(free_port)
step "D. server with ORCHARD_REDIS_URL=redis://127.0.0.1:$DEAD_REDIS_PORT/0 (nothing listens there)"
(cd "$WORK" && exec env ORCHARD_DATABASE_URL="$URL" ORCHARD_SECRET_KEY=$SECRET ORCHARD_REDIS_URL="redis://127.0.0.1:$DEAD_REDIS_PORT/0" \
    "$VENV/bin/orchard" serve --no-demo --host 127.0.0.1 --port "$APORT" >"$WORK/serve-d.log" 2>&1) &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$APORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
step "   D: GET /healthz -> $(curl -sS -w ' HTTP %{http_code}' "http://127.0.0.1:$APORT/healthz")"
step "   D: GET /readyz  -> $(curl -sS -w ' HTTP %{http_code}' "http://127.0.0.1:$APORT/readyz")"
step "   D: { __typename } -> $(curl -sS -w ' HTTP %{http_code}' "http://127.0.0.1:$APORT/graphql" -H 'content-type: application/json' -d '{"query":"{ __typename }"}' | cut -c1-200)"
LOGIN=$(curl -sS -w ' HTTP %{http_code}' "http://127.0.0.1:$APORT/graphql" -H 'content-type: application/json' \
    -d '{"query":"mutation { staffLogin(input: {email: \"seed-admin@orchard.test\", password: \"seed-admin-password\"}) { token errors { code } } }"}')
step "   D: staffLogin -> $(cut -c1-160 <<<"$LOGIN")"
step "   D: mallItems(first: 3) -> $(curl -sS -w ' HTTP %{http_code}' "http://127.0.0.1:$APORT/graphql" -H 'content-type: application/json' \
    -H "authorization: Bearer $TOKEN" -d '{"query":"query { mallItems(first: 3) { edges { node { name } } } }"}' | cut -c1-300)"
step "   D: server log warnings: $(grep -c '"level": "warning"' "$WORK/serve-d.log" || true), errors: $(grep -c '"level": "error"' "$WORK/serve-d.log" || true)"
grep -E '"level": "(warning|error)"' "$WORK/serve-d.log" | cut -c1-250 | sort | uniq -c | sort -rn | head -4 | sed 's/^/         /' || true
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""

[ "$C_STATUS" = 0 ] || fail "C: the Locust run failed (exit $C_STATUS)"
step "case C passed: Orchard runs behind pgbouncer in transaction mode with statement_cache_size=0"
