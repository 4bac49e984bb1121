#!/usr/bin/env bash
# The distributed stack's services on this machine, for the adapter tests and local runs:
# PostgreSQL 15 (event store), RabbitMQ (transport, management UI) and Azurite (blob storage), all on 127.0.0.1
# with the local-development credentials of tests/Services.cs (orch / orch-dev).
#
#   ./scripts/services.sh up       install what is missing, start what is stopped, wait until each answers
#   ./scripts/services.sh down     stop all three (data is kept)
#   ./scripts/services.sh status   one line per service: up or down
#
# Safe to run again: every step checks before it acts, and a run on a machine where all is up takes seconds.
# Every wait has a deadline and says what it waited for. Needs root (apt-get, pg_ctlcluster, rabbitmq wrappers).
# Azurite and its data live in /var/lib/orch-services/azurite, outside the work tree, so no clean of the
# repository drops the install and no ignore rule is needed. Azurite keeps deleted blobs on disk: its data/
# only grows; remove it while Azurite is down to start empty.
set -euo pipefail

readonly STATE=/var/lib/orch-services
readonly AZURITE_HOME=$STATE/azurite
readonly AZURITE_VERSION=3.37.0
readonly PG_VERSION=15 PG_CLUSTER=main PG_PORT=5432
readonly RABBIT_NODE=rabbit@localhost
readonly USER_NAME=orch USER_PASSWORD=orch-dev DATABASE=orchestration
readonly NOFILE_WANTED=65536

say() { echo "services: $*"; }
fail() { echo "services: ERROR: $*" >&2; exit 1; }

# wait_for SECONDS WHAT COMMAND...: polls COMMAND until it succeeds or the deadline passes (WHAT "": say nothing).
wait_for() {
  local seconds=$1 what=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
  if [ -n "$what" ]; then say "$what is ready"; fi
}

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# ---------------------------------------------------------------- installs

# One apt-get for everything missing: on a fresh machine that is a single update and a single install.
install_packages() {
  local missing=()
  command -v pg_ctlcluster >/dev/null && [ -x /usr/lib/postgresql/$PG_VERSION/bin/postgres ] || missing+=(postgresql-$PG_VERSION)
  [ -x /usr/sbin/rabbitmq-server ] || missing+=(rabbitmq-server)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
  command -v curl >/dev/null || missing+=(curl)
  # Debian's chromium, driven headless by the dashboard's browser test (Playwright never downloads a browser here).
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  ((${#missing[@]})) || return 0
  say "installing ${missing[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  # Other sessions may hold the dpkg lock: wait for it (bounded) instead of failing at once.
  timeout 300 apt-get -o DPkg::Lock::Timeout=120 update -qq || fail "apt-get update did not finish within 300 s"
  timeout 900 apt-get -o DPkg::Lock::Timeout=120 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || fail "apt-get install ${missing[*]} failed or took over 900 s"
}

install_azurite() {
  [ -x "$AZURITE_HOME/app/node_modules/.bin/azurite-blob" ] && return 0
  say "installing azurite@$AZURITE_VERSION into $AZURITE_HOME/app (npm)"
  mkdir -p "$AZURITE_HOME/app"
  timeout 600 npm install --prefix "$AZURITE_HOME/app" --no-audit --no-fund --loglevel=error "azurite@$AZURITE_VERSION" >/dev/null \
    || fail "npm install azurite@$AZURITE_VERSION failed or took over 600 s"
}

# ---------------------------------------------------------------- PostgreSQL

pg_conf_dir() { echo "/etc/postgresql/$PG_VERSION/$PG_CLUSTER"; }
pg_running() { pg_lsclusters -h "$PG_VERSION" "$PG_CLUSTER" 2>/dev/null | grep -q online; }
pg_ready() { pg_isready -q -h 127.0.0.1 -p "$PG_PORT" -t 2; }
as_postgres() { runuser -u postgres -- "$@"; }

# Loopback only, and passwords (scram) for every TCP client; the Unix socket keeps peer auth for the postgres admin.
configure_postgres() {
  local dir changed=0; dir=$(pg_conf_dir)
  [ -d "$dir" ] || { say "creating cluster $PG_VERSION/$PG_CLUSTER"; pg_createcluster "$PG_VERSION" "$PG_CLUSTER" >/dev/null; }
  local wanted="# Written by scripts/services.sh: loopback only, fixed port.
listen_addresses = '127.0.0.1'
port = $PG_PORT"
  if [ "$(cat "$dir/conf.d/orch.conf" 2>/dev/null)" != "$wanted" ]; then
    mkdir -p "$dir/conf.d"
    echo "$wanted" >"$dir/conf.d/orch.conf"
    changed=1
  fi
  if ! grep -Eq '^host\s+all\s+all\s+127\.0\.0\.1/32\s+scram-sha-256' "$dir/pg_hba.conf"; then
    echo "host    all             all             127.0.0.1/32            scram-sha-256" >>"$dir/pg_hba.conf"
    changed=1
  fi
  if ((changed)) && pg_running; then
    say "PostgreSQL configuration changed: restarting"
    timeout 60 pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" restart 9>&- || fail "PostgreSQL did not restart within 60 s"
  fi
}

start_postgres() {
  configure_postgres
  if ! pg_running; then
    say "starting PostgreSQL $PG_VERSION"
    timeout 60 pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start 9>&- \
      || fail "PostgreSQL did not start within 60 s; see /var/log/postgresql/postgresql-$PG_VERSION-$PG_CLUSTER.log"
  fi
  wait_for 60 "PostgreSQL on 127.0.0.1:$PG_PORT" pg_ready || fail "PostgreSQL did not accept connections on 127.0.0.1:$PG_PORT within 60 s"
  # The role and database come only when missing; the password is set each time so a changed one is put back.
  as_postgres psql -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres >/dev/null <<SQL || fail "could not create role '$USER_NAME'"
SELECT 'CREATE ROLE $USER_NAME LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$USER_NAME') \gexec
ALTER ROLE $USER_NAME LOGIN PASSWORD '$USER_PASSWORD';
SELECT 'CREATE DATABASE $DATABASE OWNER $USER_NAME' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DATABASE') \gexec
SQL
  PGPASSWORD=$USER_PASSWORD timeout 10 psql -q -h 127.0.0.1 -p "$PG_PORT" -U "$USER_NAME" -d "$DATABASE" -c 'SELECT 1' >/dev/null \
    || fail "PostgreSQL is up but '$USER_NAME' cannot log in to '$DATABASE' over TCP"
}

stop_postgres() {
  pg_running || return 0
  say "stopping PostgreSQL"
  timeout 60 pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" stop -m fast || fail "PostgreSQL did not stop within 60 s"
}

# ---------------------------------------------------------------- RabbitMQ

# As root only the /usr/sbin wrappers are used: they run the tools as the rabbitmq user, with its Erlang cookie.
rabbit() { timeout "$1" "/usr/sbin/$2" "${@:3}"; }
rabbit_pinging() { rabbit 15 rabbitmq-diagnostics -q ping >/dev/null 2>&1; }
rabbit_configured() {
  curl -sf -m 3 -u "$USER_NAME:$USER_PASSWORD" "http://127.0.0.1:15672/api/permissions/%2F/$USER_NAME" | grep -q '"configure":"\.\*"'
}

# The node's file limit is capped by the hard limit it inherits; this machine's may be below 65536, and asking
# for more than the hard limit makes the start fail, so ask for what can be had.
nofile_limit() {
  local hard; hard=$(ulimit -Hn)
  if [ "$hard" = unlimited ] || ((hard >= NOFILE_WANTED)); then echo $NOFILE_WANTED; else echo "$hard"; fi
}

write_if_changed() { # PATH CONTENT: returns 0 when the file was (re)written
  [ "$(cat "$1" 2>/dev/null)" = "$2" ] && return 1
  mkdir -p "$(dirname "$1")"
  printf '%s\n' "$2" >"$1"
}

configure_rabbitmq() {
  local limit changed=0; limit=$(nofile_limit)
  # Everything on loopback: AMQP, management, epmd, and Erlang distribution (server and CLI nodes).
  write_if_changed /etc/rabbitmq/rabbitmq.conf "# Written by scripts/services.sh: loopback only.
listeners.tcp.default = 127.0.0.1:5672
management.tcp.ip = 127.0.0.1
management.tcp.port = 15672" && changed=1
  write_if_changed /etc/rabbitmq/rabbitmq-env.conf "# Written by scripts/services.sh: loopback only, a node name that always resolves.
NODENAME=$RABBIT_NODE
export ERL_EPMD_ADDRESS=127.0.0.1
SERVER_ADDITIONAL_ERL_ARGS=\"-kernel inet_dist_use_interface {127,0,0,1}\"
CTL_ERL_ARGS=\"-kernel inet_dist_use_interface {127,0,0,1}\"" && changed=1
  write_if_changed /etc/rabbitmq/enabled_plugins "[rabbitmq_management]." && changed=1
  # The wrappers switch to the rabbitmq user through PAM, which would reset the limit to 1024 without this.
  write_if_changed /etc/security/limits.d/orch-rabbitmq.conf "rabbitmq soft nofile $limit
rabbitmq hard nofile $limit" || true
  chown -R rabbitmq:rabbitmq /etc/rabbitmq
  if ((changed)) && rabbit_pinging; then
    say "RabbitMQ configuration changed: restarting"
    stop_rabbitmq
  fi
}

start_rabbitmq() {
  # Already up and set up (checked over HTTP, without starting an Erlang CLI): nothing to do.
  if port_open 5672 && rabbit_configured; then say "RabbitMQ is ready"; return 0; fi
  configure_rabbitmq
  if ! rabbit_pinging; then
    say "starting RabbitMQ"
    export ERL_EPMD_ADDRESS=127.0.0.1
    ulimit -n "$(nofile_limit)"
    rabbit 60 rabbitmq-server -detached 9>&- || fail "rabbitmq-server -detached failed; see /var/log/rabbitmq/"
    # await_startup fails at once until the node has registered with epmd, so ping first.
    wait_for 90 "RabbitMQ node $RABBIT_NODE" rabbit_pinging || fail "RabbitMQ did not answer a ping within 90 s; see /var/log/rabbitmq/"
  fi
  rabbit 120 rabbitmqctl -q await_startup --timeout 110 >/dev/null || fail "RabbitMQ did not finish booting within 120 s; see /var/log/rabbitmq/"
  local users; users=$(rabbit 30 rabbitmqctl -q list_users --no-table-headers) || fail "could not list RabbitMQ users"
  if ! grep -q "^$USER_NAME\b" <<<"$users"; then
    rabbit 30 rabbitmqctl -q add_user "$USER_NAME" "$USER_PASSWORD" >/dev/null || fail "could not add RabbitMQ user '$USER_NAME'"
  fi
  rabbit 30 rabbitmqctl -q change_password "$USER_NAME" "$USER_PASSWORD" >/dev/null
  rabbit 30 rabbitmqctl -q set_user_tags "$USER_NAME" administrator >/dev/null
  rabbit 30 rabbitmqctl -q set_permissions -p / "$USER_NAME" '.*' '.*' '.*' >/dev/null || fail "could not grant '$USER_NAME' on vhost /"
  wait_for 60 "RabbitMQ AMQP on 127.0.0.1:5672 and management on :15672" rabbit_configured \
    || fail "RabbitMQ management API did not answer for '$USER_NAME' on 127.0.0.1:15672 within 60 s"
}

stop_rabbitmq() {
  rabbit_pinging || return 0
  say "stopping RabbitMQ"
  rabbit 90 rabbitmqctl -q shutdown >/dev/null || fail "RabbitMQ did not stop within 90 s"
}

# ---------------------------------------------------------------- Azurite

azurite_pid() {
  local pid; pid=$(cat "$AZURITE_HOME/azurite.pid" 2>/dev/null) || return 1
  kill -0 "$pid" 2>/dev/null && grep -q azurite "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}
gone() { ! kill -0 "$1" 2>/dev/null; }
azurite_answers() { [ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' http://127.0.0.1:10000/)" != 000 ]; }

start_azurite() {
  install_azurite
  if ! azurite_answers; then
    azurite_pid >/dev/null && fail "Azurite (pid $(azurite_pid)) runs but does not answer on 127.0.0.1:10000; run '$0 down' first"
    port_open 10000 && fail "127.0.0.1:10000 is taken by another program"
    say "starting Azurite (blob service)"
    mkdir -p "$AZURITE_HOME/data"
    # setsid: its own session, so it outlives this script and the test run that called it.
    setsid "$AZURITE_HOME/app/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort 10000 \
      --location "$AZURITE_HOME/data" --skipApiVersionCheck --loose \
      </dev/null >>"$AZURITE_HOME/azurite.log" 2>&1 9>&- &
    echo $! >"$AZURITE_HOME/azurite.pid"
  fi
  wait_for 30 "Azurite blob service on 127.0.0.1:10000" azurite_answers \
    || fail "Azurite did not answer on 127.0.0.1:10000 within 30 s; see $AZURITE_HOME/azurite.log"
}

stop_azurite() {
  local pid
  if ! pid=$(azurite_pid); then
    azurite_answers && say "Azurite on 127.0.0.1:10000 was not started by this script: left running"
    return 0
  fi
  say "stopping Azurite"
  # Azurite takes the first SIGTERM as "close gracefully", closes, and keeps running until a second one.
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_for 2 "" gone "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    wait_for 10 "" gone "$pid" || { kill -KILL "$pid" 2>/dev/null || true; say "Azurite ignored two SIGTERMs for 12 s: killed"; }
  fi
  rm -f "$AZURITE_HOME/azurite.pid"
}

# ---------------------------------------------------------------- commands

status() {
  local state
  if pg_ready; then state=up; else state=down; fi
  printf '%-9s %-5s %s\n' postgres $state "127.0.0.1:$PG_PORT (database $DATABASE, user $USER_NAME)"
  if port_open 5672 && rabbit_configured; then state=up; else state=down; fi
  printf '%-9s %-5s %s\n' rabbitmq $state "127.0.0.1:5672, management http://127.0.0.1:15672"
  local where="data $AZURITE_HOME/data"
  if azurite_answers; then state=up; azurite_pid >/dev/null || where="served by a process this script did not start"; else state=down; fi
  printf '%-9s %-5s %s\n' azurite $state "http://127.0.0.1:10000 ($where)"
}

# One run at a time on this machine: a second caller (another test run) waits, then finds everything up.
# Daemons are started with fd 9 closed ("9>&-"), or they would hold the lock for as long as they run.
with_lock() {
  mkdir -p "$STATE"
  exec 9>"$STATE/.lock"
  flock -w 600 9 || fail "another services.sh run has held $STATE/.lock for 600 s"
  "$@"
}

up() {
  local started=$EPOCHREALTIME
  [ "$(id -u)" = 0 ] || fail "run as root: it installs packages and starts system services"
  install_packages
  start_postgres
  start_rabbitmq
  start_azurite
  say "all up in $(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
}

down() {
  stop_azurite
  command -v pg_lsclusters >/dev/null && stop_postgres
  [ -x /usr/sbin/rabbitmqctl ] && stop_rabbitmq
  say "all down"
}

case "${1:-}" in
  up) with_lock up ;;
  down) with_lock down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
