#!/usr/bin/env bash
# Start or stop a throwaway MariaDB server for the tests, without systemd.
#
#   eval "$(scripts/mariadb.sh start /tmp/cl-mariadb)"   # prints export lines on stdout
#   scripts/mariadb.sh stop /tmp/cl-mariadb
#
# start DIR: initialises DIR/data on first use, starts mariadbd on 127.0.0.1 with a free port
#   picked here, durable settings (innodb_flush_log_at_trx_commit=1) and utf8mb4, waits until it
#   answers ping, creates schema cardline_test and user cardline (password in DIR/password), and
#   prints CARDLINE_MYSQL_* export lines. Running start on a DIR whose server is already running
#   prints the export lines of that server again; start after stop on the same DIR reuses the
#   data and, when it is still free, the port.
# stop DIR: stops the server started in DIR and waits until it is gone.
# Works as root (the server runs as root via --user=root) and as an ordinary user.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
cmd=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
schema=cardline_test
user=cardline

server_pid() {
  [[ -f "$dir/pid" ]] || return 1
  local pid
  pid=$(cat "$dir/pid")
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

free_port() {
  # Ask the kernel for a free port on loopback.
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

port_is_free() {
  python3 -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null
}

print_exports() {
  local port password
  port=$(cat "$dir/port")
  password=$(cat "$dir/password")
  echo "export CARDLINE_MYSQL_URL=tcp://127.0.0.1:$port"
  echo "export CARDLINE_MYSQL_USER=$user"
  echo "export CARDLINE_MYSQL_PASSWORD=$password"
  echo "export CARDLINE_MYSQL_SCHEMA=$schema"
  echo "export CARDLINE_MYSQL_SOCKET=$dir/sock"
}

start() {
  if server_pid >/dev/null; then
    print_exports
    return 0
  fi
  rm -f "$dir/sock" "$dir/pid"
  if [[ ! -d "$dir/data/mysql" ]]; then
    rm -rf "$dir/data"
    mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$dir/data" \
      --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1 || {
      cat "$dir/install.log" >&2; exit 1; }
  fi
  [[ -f "$dir/password" ]] || head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$dir/password"
  chmod 600 "$dir/password"
  local port
  # A restart (stop, then start on the same DIR) comes back on the same port when it is still
  # free, so clients configured with the old address reconnect (the fault campaign relies on it).
  if [[ -f "$dir/port" ]] && port_is_free "$(cat "$dir/port")"; then
    port=$(cat "$dir/port")
  else
    port=$(free_port)
  fi
  echo "$port" >"$dir/port"
  mariadbd --no-defaults --user="$(id -un)" --datadir="$dir/data" --socket="$dir/sock" \
    --port="$port" --bind-address=127.0.0.1 --pid-file="$dir/pid" \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci --skip-name-resolve \
    --innodb-flush-log-at-trx-commit=1 --log-error="$dir/error.log" </dev/null >/dev/null 2>&1 &
  local launcher=$!
  local i
  for i in $(seq 1 300); do
    if mariadb-admin --no-defaults --socket="$dir/sock" -uroot ping >/dev/null 2>&1; then
      break
    fi
    if ! kill -0 "$launcher" 2>/dev/null; then
      echo "mariadbd exited; see $dir/error.log:" >&2
      tail -20 "$dir/error.log" >&2 || true
      exit 1
    fi
    sleep 0.1
  done
  mariadb-admin --no-defaults --socket="$dir/sock" -uroot ping >/dev/null 2>&1 || {
    echo "mariadbd did not answer ping; see $dir/error.log" >&2; exit 1; }
  local password
  password=$(cat "$dir/password")
  mariadb --no-defaults --socket="$dir/sock" -uroot <<SQL
CREATE DATABASE IF NOT EXISTS $schema CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE USER IF NOT EXISTS '$user'@'127.0.0.1' IDENTIFIED BY '$password';
CREATE USER IF NOT EXISTS '$user'@'localhost' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON $schema.* TO '$user'@'127.0.0.1';
GRANT ALL PRIVILEGES ON $schema.* TO '$user'@'localhost';
FLUSH PRIVILEGES;
SQL
  print_exports
}

stop() {
  local pid
  if ! pid=$(server_pid); then
    echo "no MariaDB running in $dir" >&2
    return 0
  fi
  kill -TERM "$pid"
  local i
  for i in $(seq 1 600); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$dir/sock"; return 0; }
    sleep 0.1
  done
  echo "mariadbd ($pid) did not stop within 60 s" >&2
  exit 1
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
