#!/usr/bin/env bash
# Set up everything Spillwatch needs on a fresh Debian machine, idempotently.
#   scripts/setup.sh          Python virtual environment with the package (for `spillwatch demo`)
#   scripts/setup.sh --test   ... plus test dependencies, PostgreSQL, Chromium, Maven/Java, ReplayWeb.page
#                             (npm) and the Elasticsearch integration-test distribution from Maven Central
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"

log() { printf '[setup] %s\n' "$*" >&2; }

apt_install() {
  # Install Debian packages that are missing; needs root (CI and our dev machines run as root).
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ $(id -u) -ne 0 ]]; then
    log "missing Debian packages: ${missing[*]} — install them (sudo apt-get install ${missing[*]}) and rerun"
    exit 1
  fi
  log "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

if ! "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
  log "Python 3.11+ is required (found: $("$PYTHON" --version 2>&1)); set PYTHON=/path/to/python3.11"
  exit 1
fi

if [[ ! -x "$VENV/bin/python" ]]; then
  log "creating virtual environment $VENV"
  "$PYTHON" -m venv "$VENV" || { apt_install python3-venv; "$PYTHON" -m venv "$VENV"; }
fi

stamp="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)-$want_test"
if [[ ! -f "$stamp" ]]; then
  log "installing Python packages"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  if [[ $want_test -eq 1 ]]; then
    "$VENV/bin/python" -m pip install -q -e ".[test]"
  else
    "$VENV/bin/python" -m pip install -q -e .
  fi
  rm -f "$VENV"/.installed-*
  touch "$stamp"
fi

if [[ $want_test -eq 1 ]]; then
  command -v java >/dev/null || apt_install default-jdk-headless
  command -v mvn >/dev/null || apt_install maven
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
  [[ -x /usr/bin/chromium ]] || apt_install chromium
  command -v npm >/dev/null || apt_install npm
  log "fetching ReplayWeb.page for the WACZ replay test (npm pack, cached in ~/.npm and .services/)"
  "$VENV/bin/python" -c 'from tests.services.replaywebpage import fetch; print(fetch())' >&2

  # axe-core for the browser tests' accessibility checks (package.json, pinned by package-lock.json);
  # npm keeps its download cache in ~/.npm, so a rerun or a fresh clone on the same machine is offline
  npm_stamp="node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)"
  if [[ ! -f "$npm_stamp" ]]; then
    log "installing the browser tests' npm packages (axe-core)"
    npm ci --no-audit --no-fund --prefer-offline >/dev/null
    touch "$npm_stamp"
  fi
  log "fetching the Elasticsearch test distribution (cached in ~/.m2 and .services/)"
  "$VENV/bin/python" -c 'from tests.services.elasticsearch import fetch_distribution; print(fetch_distribution())' >&2
fi
log "ready"
