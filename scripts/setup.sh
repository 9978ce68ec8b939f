# Shared set-up for scripts/run and scripts/test. Sourced, not run.
# Each step is skipped when what it installs is already up to date.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

fingerprint() { cat "$@" | sha256sum | cut -c1-16; }

python_env() {  # python_env [dev]
  local extras="" stamp
  [ "${1:-}" = dev ] && extras="[dev]"
  command -v python3 >/dev/null || die "Python 3.11 or newer is needed (python3 not found)."
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || die "Python 3.11 or newer is needed; python3 is $(python3 --version)."
  [ -x "$PY" ] || { say "Creating the virtualenv in .venv"; python3 -m venv "$VENV"; }
  stamp="$VENV/.installed-${1:-run}-$(fingerprint "$ROOT/pyproject.toml")"
  if [ ! -f "$stamp" ]; then
    say "Installing Python dependencies${extras:+ (with test tools)}"
    "$PY" -m pip install --quiet --upgrade pip
    "$PY" -m pip install --quiet -e "$ROOT$extras"
    touch "$stamp"
  fi
}

frontend_build() {
  command -v npm >/dev/null || die "Node.js 20.19+ with npm is needed to build the front end."
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
    || die "Node.js 20.19 or newer is needed; node is $(node --version)."
  local lock_stamp="$ROOT/frontend/node_modules/.installed-$(fingerprint "$ROOT/frontend/package-lock.json")"
  if [ ! -f "$lock_stamp" ]; then
    say "Installing front-end dependencies"
    (cd "$ROOT/frontend" && npm ci --no-audit --no-fund --loglevel=error)
    touch "$lock_stamp"
  fi
  say "Building the front end"
  (cd "$ROOT/frontend" && npm run --silent build >/dev/null)
}

chromium_ensure() {
  [ -x /usr/bin/chromium ] && return 0
  say "Installing Debian's chromium for the browser tests"
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo -n"
  $sudo apt-get update -qq || die "apt-get update failed; install the chromium package by hand."
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null \
    || die "Could not install chromium; install Debian's chromium package by hand."
}
