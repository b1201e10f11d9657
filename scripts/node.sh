#!/usr/bin/env bash
# Runs a script with a Node.js new enough for Tributary (≥ 22.13).
# Uses the `node` on PATH when it qualifies; otherwise fetches Node 24 once from the
# npm registry (the `node` package carries the binary) into .tributary/node and uses that.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
local_node="$root/.tributary/node/node_modules/node/bin/node"

qualifies() {
  # Exit 0 when the given node binary is ≥ 22.13.
  "$1" -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=13)?0:1)' 2>/dev/null
}

if command -v node >/dev/null 2>&1 && qualifies "$(command -v node)"; then
  node_bin="$(command -v node)"
elif [ -x "$local_node" ] && qualifies "$local_node"; then
  node_bin="$local_node"
else
  if ! command -v npm >/dev/null 2>&1; then
    echo "Tributary needs Node.js ≥ 22.13 (Node 24 LTS recommended), or npm to fetch it. Install Node 24 from https://nodejs.org/." >&2
    exit 1
  fi
  echo "› Node $(node --version 2>/dev/null || echo 'is missing') is older than 22.13: fetching Node 24 from the npm registry into .tributary/node (once)…" >&2
  mkdir -p "$root/.tributary/node"
  npm install --silent --no-save --no-package-lock --prefix "$root/.tributary/node" node@24 >&2
  node_bin="$local_node"
fi

# Astro would otherwise report usage over the network; Tributary talks only to this machine.
export ASTRO_TELEMETRY_DISABLED=1

# Keep child processes (npx, vitest workers, learners' runs) on the same Node.
export PATH="$(dirname "$node_bin"):$PATH"

flags=()
# Node 22.13-22.17 can run TypeScript only behind a flag; later versions strip types by default.
if ! "$node_bin" -e 'process.exit(process.features.typescript ? 0 : 1)' 2>/dev/null; then
  flags+=(--experimental-strip-types)
fi
# kafkajs 2.2 schedules a timer with a negative delay on Node >= 24; the warning is noise.
# NODE_OPTIONS carries it to worker processes too (test runners); learners' programs get their own flags.
export NODE_OPTIONS="--disable-warning=TimeoutNegativeWarning ${NODE_OPTIONS:-}"
flags+=(--disable-warning=ExperimentalWarning)
exec "$node_bin" "${flags[@]}" "$@"
