#!/usr/bin/env bash
# One command from a fresh clone to a working lab: system packages, npm packages, the Prisma
# client, the local stack (Temporal, PostgreSQL, MinIO, MLflow) and the database migrations.
# Re-runnable: every step skips what is already done. .ci/run runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

step_name=''
step() {
  [[ -n $step_name ]] && printf '== %s took %ss\n' "$step_name" "$((SECONDS - step_started))"
  step_name=$1
  step_started=$SECONDS
  printf '\n== %s\n' "$1"
}
# The AWS SDK warns on every run that Node 20 support ends in 2027; nothing to act on here.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true

step "system packages"
bash infra/stack/install-system.sh

step "npm packages"
if [[ "${SETUP_SKIP_NPM_CI:-}" == 1 && -d node_modules ]]; then
  echo "SETUP_SKIP_NPM_CI=1: keeping node_modules"
elif ! npm ci --no-audit --no-fund; then
  # Our npm registry serves no other-platform optional packages (e.g. @swc/core-darwin-arm64),
  # so the committed lock lacks them and `npm ci` refuses it as out of sync. `npm install
  # --no-save` installs the same locked versions without rewriting the lock.
  echo "npm ci refused package-lock.json; falling back to npm install --no-save"
  npm install --no-save --no-audit --no-fund
fi

step "trainer environment (PyTorch)"
bash trainer/install.sh

step "prisma client"
bash infra/prisma-generate.sh

step "local stack"
npx tsx cli/main.ts stack up

step "database migrations"
if [[ -f infra/db/migrate.ts ]]; then
  npm run db:migrate
else
  echo "infra/db/migrate.ts not present yet: skipped"
fi

step "done"
printf '\nReady. Stop the services with `npm run stack -- down`.\n'
