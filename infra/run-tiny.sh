#!/usr/bin/env bash
# The main job in one command: set up everything (re-runnable), start a worker, run the whole
# RAG-R1 recipe on the tiny world, print its report, and stop the worker it started.
# Extra arguments go to `rag-r1 run` (e.g. --set ppo.steps=4, --force).
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true

bash infra/setup.sh
mkdir -p .data/logs
# The main job owns the machine, so training stages may use every core (lib/env.ts).
export RAG_R1_TRAINER_THREADS=${RAG_R1_TRAINER_THREADS:-$(nproc)}
node bin/rag-r1.js worker --queues control,cpu,gpu > .data/logs/tiny-worker.log 2>&1 &
worker=$!
trap 'kill "$worker" 2>/dev/null; wait "$worker" 2>/dev/null || true' EXIT
echo "worker pid $worker (log: .data/logs/tiny-worker.log)"

started=$SECONDS
run=$(node bin/rag-r1.js run --preset tiny --no-wait "$@")
echo "run $run launched"
node bin/rag-r1.js show "$run" --watch
status=$(node bin/rag-r1.js show "$run" --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).status))')
echo "run $run $status in $((SECONDS - started))s"
[[ $status == COMPLETED ]] || exit 1
node bin/rag-r1.js report "$run" | sed -n '/^## Evaluation/,/^## Training curves/p' | sed '$d'
cat <<EOT
Full report:  node bin/rag-r1.js report $run --html report.html
Web UI:       npm run web, then http://127.0.0.1:3000/runs/$run
Temporal UI:  http://127.0.0.1:8233/namespaces/default/workflows/experiment-$run
MLflow:       http://127.0.0.1:5050
EOT
