#!/usr/bin/env bash
# Installs everything the project needs on a machine that has only Node 20 and npm: redis-server
# (a Debian package; the Redis tests start their own on a free loopback port) and the workspace
# with pnpm 12, which brings Node 24 as a dev dependency. The README's first command runs this.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    as_root=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root="sudo"
  else
    as_root="none"
  fi
  if [ "$as_root" = "none" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "install.sh: redis-server is missing and cannot be installed here (needs apt-get and root);" >&2
    echo "install.sh: install it yourself, or the Redis tests fail with RedisUnavailable." >&2
  else
    $as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq redis-server >/dev/null
    # The package starts a system-wide server; the tests start their own.
    $as_root service redis-server stop >/dev/null 2>&1 || true
  fi
fi

npx --yes pnpm@12.21.0 install --frozen-lockfile
