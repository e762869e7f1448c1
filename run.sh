#!/usr/bin/env bash
# lacompare's two commands. Each sets up what it needs first (a .venv with the locked packages).
#   ./run.sh board   # the main job: Derby's board table from the embedded data -> examples/output/
#   ./run.sh test    # the test suite (what CI runs)
# Other jobs: ./run.sh lint | build-data | bench | browser (installs Chromium for PNG/PDF)
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=.venv

setup() {
  if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
  fi
  # Reinstall only when the lock file or the package metadata changed.
  stamp="$VENV/.lacompare-$(cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.lock
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
    rm -f "$VENV"/.lacompare-*
    touch "$stamp"
  fi
}

job=${1:-}
shift || true
case "$job" in
  board)
    setup
    "$VENV/bin/python" examples/derby_board_table.py "$@"
    ;;
  test)
    setup
    # Tests run in parallel, one worker per CPU (-n 0 runs them in this process).
    "$VENV/bin/python" -m pytest -n auto "$@"
    ;;
  lint)
    setup
    "$VENV/bin/ruff" check src tests scripts benchmarks examples
    "$VENV/bin/ruff" format --check src tests scripts benchmarks examples
    "$VENV/bin/mypy" src
    ;;
  build-data)
    setup
    "$VENV/bin/python" scripts/build_reference_data.py "$@"
    ;;
  browser)
    # PNG / PDF export renders through headless Chromium (Debian's package); the example's
    # picture of a paper's first pages uses poppler's pdftoppm.
    if { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; } \
      && command -v pdftoppm >/dev/null 2>&1; then
      echo "chromium: $(command -v chromium || command -v chromium-browser); pdftoppm: $(command -v pdftoppm)"
    else
      SUDO=""
      [ "$(id -u)" = 0 ] || SUDO="sudo"
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium poppler-utils >/dev/null
      echo "installed chromium: $(command -v chromium); pdftoppm: $(command -v pdftoppm)"
    fi
    ;;
  bench)
    setup
    for script in benchmarks/[!_]*.py; do "$VENV/bin/python" "$script"; done
    ;;
  *)
    echo "usage: ./run.sh board | test | lint | build-data [DATA_DIR] | bench | browser" >&2
    exit 2
    ;;
esac
