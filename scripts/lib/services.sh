# shellcheck shell=bash
# Checks for the services every machine runs (PostgreSQL, Redis). We never start them
# ourselves: they belong to the machine (or to `docker compose up postgres redis`).

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

require_postgres() {
  local host=${PGHOST:-127.0.0.1} port=${PGPORT:-5432}
  port_open "$host" "$port" && return 0
  die "PostgreSQL is not reachable on $host:$port.
  Start it with:  pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start
  or with Docker: docker compose up -d postgres"
}

require_redis() {
  local host=${REDIS_HOST:-127.0.0.1} port=${REDIS_PORT:-6379}
  port_open "$host" "$port" && return 0
  die "Redis is not reachable on $host:$port.
  Start it with:  redis-server --daemonize yes --bind 127.0.0.1 --port $port --save '' --appendonly no
  or with Docker: docker compose up -d redis"
}

require_java_and_maven() {
  command -v java >/dev/null 2>&1 || die "Java 17+ is needed to run the local Kafka broker (apt-get install openjdk-17-jre-headless)."
  command -v mvn >/dev/null 2>&1 || die "Maven is needed once to fetch the Kafka jars (apt-get install maven)."
}

# query-api's browser test (apps/query-api/test/push-site-browser.test.ts) drives the
# machine's Chromium, never a browser download of its own: installed from Debian's packages
# when missing and this is root on a Debian machine, as CI is.
require_chromium() {
  [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] && return 0
  local install="apt-get install -y chromium fonts-noto-cjk"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing Chromium for the browser test ($install)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk; } >/dev/null ||
      die "could not install Chromium; run: $install"
    return 0
  fi
  die "Chromium is needed for the browser test: $install (or set CHROMIUM_PATH to one)"
}
