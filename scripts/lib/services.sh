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

# promtool checks and unit-tests infra/prometheus's configuration and alert rules. Debian's
# `prometheus` package carries it, but installing that package would also set up (and try
# to start) a Prometheus server: only its promtool is taken out of the .deb, into the cache
# ($FLUXNOTIFY_CACHE/promtool/<version>/promtool). Sets PROMTOOL. Order: $PROMTOOL, one on
# PATH, one already cached, else the download (a few seconds, once).
require_promtool() {
  if [ -n "${PROMTOOL:-}" ]; then
    [ -x "$PROMTOOL" ] || die "PROMTOOL=$PROMTOOL is not an executable"
    return 0
  fi
  if command -v promtool >/dev/null 2>&1; then
    PROMTOOL=$(command -v promtool)
    export PROMTOOL
    return 0
  fi
  local cached
  cached=$(ls -1d "$FLUXNOTIFY_CACHE"/promtool/*/promtool 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$cached" ] && [ -x "$cached" ]; then
    PROMTOOL=$cached
    export PROMTOOL
    return 0
  fi
  command -v apt-get >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1 ||
    die "promtool is needed for the alert-rule tests: install Prometheus's promtool (https://prometheus.io/download/) and put it on PATH, or set PROMTOOL"
  local version
  version=$(apt-cache policy prometheus 2>/dev/null | awk '/Candidate:/ { print $2 }')
  if { [ -z "$version" ] || [ "$version" = "(none)" ]; } && [ "$(id -u)" = 0 ]; then
    apt-get update -qq >/dev/null 2>&1 || true
    version=$(apt-cache policy prometheus 2>/dev/null | awk '/Candidate:/ { print $2 }')
  fi
  [ -n "$version" ] && [ "$version" != "(none)" ] ||
    die "no 'prometheus' package is known to apt here (run apt-get update), or set PROMTOOL to a promtool"
  say "fetching promtool from Debian's prometheus $version (the .deb is unpacked, never installed)"
  local work target="$FLUXNOTIFY_CACHE/promtool/$version"
  work=$(mktemp -d)
  # In a subshell: the download lands in the temporary directory, and the cd ends with it.
  if ! (cd "$work" && apt-get download -qq "prometheus=$version" >/dev/null 2>&1 &&
    dpkg-deb -x ./prometheus_*.deb extracted && [ -x extracted/usr/bin/promtool ]); then
    rm -rf "$work"
    die "could not fetch promtool (apt-get download prometheus=$version); set PROMTOOL to one"
  fi
  mkdir -p "$target"
  # Copied to a temporary name and renamed: a run interrupted half-way never leaves a broken binary.
  cp "$work/extracted/usr/bin/promtool" "$target/promtool.partial"
  mv "$target/promtool.partial" "$target/promtool"
  rm -rf "$work"
  PROMTOOL=$target/promtool
  export PROMTOOL
  say "promtool $("$PROMTOOL" --version 2>&1 | awk 'NR == 1 { print $3 }') at $PROMTOOL"
}
