#!/usr/bin/env bash
# The Python tools the tests use (schemathesis, which fuzzes the API from its OpenAPI document), in a
# virtual environment of the project's own under .tributary/: never installed system-wide.
# Versions are pinned in scripts/python-tools.txt; this does nothing once they are installed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.tributary/python-tools"
requirements="$root/scripts/python-tools.txt"
stamp="$venv/.installed-$(sha256sum "$requirements" | cut -c1-16)"

if [ -f "$stamp" ]; then exit 0; fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "The API conformance test needs Python 3 (Debian/Ubuntu: apt-get install python3 python3-venv)." >&2
  exit 1
fi
echo "› installing $(grep -v '^#' "$requirements" | tr '\n' ' ')into .tributary/python-tools (once)…" >&2
rm -rf "$venv"
if ! python3 -m venv "$venv" >&2; then
  echo "python3 cannot create a virtual environment here; install its venv module (Debian/Ubuntu: apt-get install python3-venv)." >&2
  exit 1
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" >&2
touch "$stamp"
