#!/usr/bin/env bash
# Generates the Prisma client into prisma/generated.
# Prisma 7's client runs on its bundled WASM query compiler, but the CLI still tries to fetch a
# native schema-engine binary first, which fails without internet access to Prisma's CDN.
# `generate` never runs the schema engine, so any existing file satisfies the check.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${PRISMA_SCHEMA_ENGINE_BINARY:-}" ]]; then
  export PRISMA_SCHEMA_ENGINE_BINARY="$PWD/package.json"
fi
exec npx prisma generate "$@"
