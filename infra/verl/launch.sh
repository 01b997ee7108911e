#!/usr/bin/env bash
# Launches RAG-R1 PPO on veRL + Ray from a run directory written by `rag-r1 verl render`.
#
# NOT EXECUTED IN DEVELOPMENT: no GPU, Ray or veRL was available where this was written. It
# is built from the public sources cited in lib/rag-r1/verl/README.md; `dry-run` (which only
# prints) and `prepare` (parquet conversion) are the parts that have been run.
#
#   launch.sh prepare RUN_DIR            jsonl rows -> data/{train,test}.parquet (pyarrow)
#   launch.sh dry-run RUN_DIR            print what `head` would run, touch nothing
#   launch.sh check   RUN_DIR            compose the fork's ppo_trainer.yaml with the overrides
#   launch.sh head    RUN_DIR            on the head node: ray start --head, wait, train
#   launch.sh worker  HEAD_IP [GPUS]     on each other node: join the cluster and block
#
# Environment:
#   RAG_R1_REPO      checkout of inclusionAI/AWorld-RL's RAG-R1/ folder (holds verl/, rag_r1/);
#                    main_ppo runs from there so `verl` and `rag_r1` import (required: head)
#   PYTHON           interpreter with veRL's deps (default: python3)
#   RAY_PORT         GCS port of the head (default: 6379)
#   RAY_WAIT_S       how long head waits for all GPUs to join (default: 600)
#   SWAP_GENERATION  1 = copy rag_r1/llm_agent/generation_$MODE.py over generation.py (a
#                    backup is kept); otherwise a mismatch stops the launch (see README.md)
#   SKIP_RAY_START   1 = a Ray cluster is already running on this node; only wait and train
set -euo pipefail

PYTHON="${PYTHON:-python3}"
RAY_PORT="${RAY_PORT:-6379}"
RAY_WAIT_S="${RAY_WAIT_S:-600}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

die() { echo "launch.sh: $*" >&2; exit 1; }

load_run_dir() {
  RUN_DIR="$(cd "${1:?RUN_DIR missing}" && pwd)"
  [[ -f "$RUN_DIR/run.env" && -f "$RUN_DIR/overrides.txt" ]] ||
    die "$RUN_DIR has no run.env/overrides.txt; write it with: rag-r1 verl render"
  # shellcheck source=/dev/null
  source "$RUN_DIR/run.env"
  [[ "$MODE" == sq || "$MODE" == mq ]] || die "run.env: MODE=$MODE is neither sq nor mq"
  mapfile -t OVERRIDES < "$RUN_DIR/overrides.txt"
}

prepare() {
  local split
  for split in train test; do
    "$PYTHON" "$HERE/jsonl_to_parquet.py" "$RUN_DIR/data/$split.jsonl" "$RUN_DIR/data/$split.parquet"
  done
}

# RAG-R1 has no config switch between sq and mq: its ray_trainer imports
# rag_r1.llm_agent.generation, and its README says to replace generation.py with
# generation_sq.py for sq training. Refuse to train with the other mode's module.
check_generation_module() {
  local dir="$RAG_R1_REPO/rag_r1/llm_agent"
  local active="$dir/generation.py" wanted="$dir/generation_$MODE.py"
  [[ -f "$active" && -f "$wanted" ]] || die "$dir lacks generation.py or generation_$MODE.py"
  cmp -s "$active" "$wanted" && return 0
  if [[ "${SWAP_GENERATION:-0}" == 1 ]]; then
    cp "$active" "$active.bak.$(date +%Y%m%d%H%M%S)"
    cp "$wanted" "$active"
    echo "launch.sh: generation.py <- generation_$MODE.py (backup kept)"
  else
    die "generation.py differs from generation_$MODE.py; set SWAP_GENERATION=1 to replace it"
  fi
}

wait_for_gpus() {
  local deadline=$((SECONDS + RAY_WAIT_S)) have=0
  while ((SECONDS < deadline)); do
    have="$("$PYTHON" -c 'import ray; ray.init(address="auto", logging_level="ERROR"); print(int(ray.cluster_resources().get("GPU", 0)))' 2>/dev/null || echo 0)"
    ((have >= WORLD_SIZE)) && return 0
    echo "launch.sh: $have/$WORLD_SIZE GPUs in the Ray cluster; waiting for workers"
    sleep 10
  done
  die "only $have/$WORLD_SIZE GPUs joined within ${RAY_WAIT_S}s"
}

train_command() {
  printf '%q ' env PYTHONUNBUFFERED=1 VLLM_ATTENTION_BACKEND=XFORMERS \
    "$PYTHON" -m verl.trainer.main_ppo "${OVERRIDES[@]}"
  echo
}

# Hydra composition against the fork's own yaml: a wrong key fails before any GPU is held.
check() {
  [[ -n "${RAG_R1_REPO:-}" ]] || die "set RAG_R1_REPO to the AWorld-RL RAG-R1 checkout"
  "$PYTHON" "$HERE/check_overrides.py" "$RAG_R1_REPO/verl/trainer/config" "$RUN_DIR/overrides.txt" >/dev/null
  echo "launch.sh: overrides compose against $RAG_R1_REPO/verl/trainer/config/ppo_trainer.yaml"
}

head_node() {
  check
  [[ -f "$RUN_DIR/data/train.parquet" && -f "$RUN_DIR/data/test.parquet" ]] || prepare
  check_generation_module
  if [[ "${SKIP_RAY_START:-0}" != 1 ]]; then
    ray start --head --port="$RAY_PORT" --num-gpus="$GPUS_PER_NODE"
  fi
  wait_for_gpus
  cd "$RAG_R1_REPO"
  # ray.init() inside main_ppo attaches to the cluster started above (latest on this machine).
  # XFORMERS: train_ppo.sh's note that vLLM + Qwen2 with flash-attn misbehaves.
  env PYTHONUNBUFFERED=1 VLLM_ATTENTION_BACKEND=XFORMERS \
    "$PYTHON" -m verl.trainer.main_ppo "${OVERRIDES[@]}" 2>&1 | tee "$RUN_DIR/train.log"
}

case "${1:-}" in
  prepare) load_run_dir "${2:-}"; prepare ;;
  dry-run)
    load_run_dir "${2:-}"
    echo "# mode=$MODE nodes=$NODES gpus_per_node=$GPUS_PER_NODE world=$WORLD_SIZE"
    echo "# head: ray start --head --port=$RAY_PORT --num-gpus=$GPUS_PER_NODE"
    echo "# workers: launch.sh worker <head-ip> $GPUS_PER_NODE   (x$((NODES - 1)))"
    echo "# generation module: rag_r1/llm_agent/generation_$MODE.py as generation.py"
    echo "# cd \$RAG_R1_REPO && \\"
    train_command
    ;;
  check) load_run_dir "${2:-}"; check ;;
  head) load_run_dir "${2:-}"; head_node ;;
  worker)
    head_ip="${2:?HEAD_IP missing}"
    ray start --address="$head_ip:$RAY_PORT" --num-gpus="${3:-8}" --block
    ;;
  *) sed -n '2,26p' "${BASH_SOURCE[0]}"; exit 2 ;;
esac
