#!/bin/sh
# Set-up for people and CI: `scripts/dev.sh run` or `scripts/dev.sh test`.
# Everything installs into .venv/ at the project's root.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"

is_new_enough() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; }

find_python() {
    # Django 6 needs Python 3.12 or newer (docs/decisions/0001-python-3.12.md).
    for candidate in "${PYTHON:-}" python3.14 python3.13 python3.12 python3 python; do
        [ -n "$candidate" ] || continue
        path=$(command -v "$candidate" 2>/dev/null) || continue
        if is_new_enough "$path"; then echo "$path"; return 0; fi
    done
    for path in "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do
        if [ -x "$path" ] && is_new_enough "$path"; then echo "$path"; return 0; fi
    done
    # Only an older Python here: let it install uv, and uv fetch a current CPython.
    old=$(command -v python3 || true)
    if [ -n "$old" ]; then
        echo "No Python 3.12+ found; fetching one with uv (once)." >&2
        "$old" -m venv "$ROOT/var/bootstrap" >&2 && "$ROOT/var/bootstrap/bin/pip" -q install uv >&2
        "$ROOT/var/bootstrap/bin/uv" python install 3.12 >&2
        "$ROOT/var/bootstrap/bin/uv" python find 3.12
        return 0
    fi
    echo "microwork needs Python 3.12 or newer (Django 6)." >&2
    return 1
}

ensure_venv() {
    if [ ! -x "$VENV/bin/python" ] || ! is_new_enough "$VENV/bin/python"; then
        rm -rf "$VENV"
        mkdir -p "$ROOT/var"
        "$(find_python)" -m venv "$VENV"
        "$VENV/bin/python" -m pip install -q --upgrade pip
    fi
}

apt_install() {
    # apt_install COMMAND PACKAGE WHAT: install Debian's PACKAGE when COMMAND is missing,
    # where we are allowed to; otherwise say which tests will be skipped.
    if command -v "$1" >/dev/null 2>&1; then return 0; fi
    if command -v apt-get >/dev/null 2>&1; then
        SUDO=""
        [ "$(id -u)" = 0 ] || SUDO="sudo -n"
        ($SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null) \
            || echo "Could not install $2; $3 will be skipped." >&2
    fi
}

install_chromium() {
    # The browser tests drive Debian's chromium.
    apt_install chromium chromium "browser tests"
}

install_gettext() {
    # The catalogue test extracts every marked string with xgettext.
    apt_install xgettext gettext "the translation catalogue test"
}

supervise() {
    # Starts a worker again when it ends: a worker ends itself when a job cannot be stopped at
    # its time limit, and the next one recovers that job. Stopping this loop stops its worker.
    log=$1
    shift
    child=""
    trap 'if [ -n "$child" ]; then kill "$child" 2>/dev/null; fi; exit 0' TERM INT
    while :; do
        "$@" >>"$log" 2>&1 &
        child=$!
        wait "$child" || true
        sleep 1
    done
}

cmd=${1:-}
case "$cmd" in
run)
    # The demo deposits and pays out through simulated providers.
    export SIMULATED_PAYMENTS="${SIMULATED_PAYMENTS:-1}"
    # Webhook receivers tried out on this machine listen on the loopback (docs/webhooks.md).
    export WEBHOOK_ALLOW_PRIVATE_ADDRESSES="${WEBHOOK_ALLOW_PRIVATE_ADDRESSES:-1}"
    ensure_venv
    "$VENV/bin/pip" install -q -e . -e clients/python
    "$VENV/bin/microwork" migrate --no-input -v0
    "$VENV/bin/microwork" collectstatic --no-input -v0
    "$VENV/bin/microwork" demo
    # Background jobs run in one worker per queue, so that a big upload or re-estimate never
    # holds up payouts and the periodic jobs; the clock enqueues the periodic ones
    # (auto-approval, appeal deadlines, pay-floor checks). See docs/projects.md.
    supervise "$ROOT/var/worker-default.log" "$VENV/bin/microwork" db_worker --queue-name default &
    WORKER_DEFAULT=$!
    supervise "$ROOT/var/worker-uploads.log" "$VENV/bin/microwork" db_worker --queue-name uploads &
    WORKER_UPLOADS=$!
    supervise "$ROOT/var/worker-aggregation.log" "$VENV/bin/microwork" db_worker --queue-name aggregation &
    WORKER_AGGREGATION=$!
    "$VENV/bin/microwork" clock >"$ROOT/var/clock.log" 2>&1 &
    CLOCK=$!
    trap 'kill $WORKER_DEFAULT $WORKER_UPLOADS $WORKER_AGGREGATION $CLOCK 2>/dev/null || true' EXIT INT TERM
    echo "microwork is on http://127.0.0.1:8000  (Ctrl-C stops it)"
    "$VENV/bin/microwork" runserver 127.0.0.1:8000 --noreload --insecure
    ;;
test)
    ensure_venv
    # The Python client (clients/python) is its own package; its tests and the `microwork`
    # command's requester subcommands run against a live test server.
    "$VENV/bin/pip" install -q -e ".[dev]" -e clients/python
    install_chromium
    install_gettext
    shift
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
*)
    echo "usage: scripts/dev.sh run|test [pytest arguments]" >&2
    exit 2
    ;;
esac
