"""`export-onnx`: a policy checkpoint as model.onnx with the KV-cache contract of lib/llm/onnx.

Inputs: input_ids, attention_mask (past+seq, left padding, 1 = real), position_ids,
past_key_values.{i}.key/.value [batch, n_head, past, head_dim]. Outputs: the last position's
logits [batch, 1, vocab] and present.{i}.key/.value. The export is verified: greedy
continuations from PyTorch and onnxruntime must agree token for token on fixed prompts
(written to greedy_vectors.json).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import torch
from torch import nn

from . import events
from .checkpoint import contract_config, load_policy
from .config import ExportConfig
from .errors import TrainerError, config_error
from .hf_model import is_hf_dir
from .generate import StopRule, generate
from .model import GPT
from .tokenizer import Tokenizer

STOPS = ("</search>", "</answer>")

DEFAULT_PROMPTS = ["Question: What is the capital of France?", "Question: Who wrote the book?"]


class OnnxPolicy(nn.Module):
    def __init__(self, model: GPT) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, position_ids, *past_flat):
        past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(len(past_flat) // 2)]
        hidden, presents = self.model.trunk(input_ids, attention_mask, position_ids, past)
        # Generation reads only the last position; projecting every prefill position onto the
        # vocabulary was about a fifth of the evaluation's compute.
        logits = self.model.project(hidden[:, -1:])
        return (logits, *(t for kv in presents for t in kv))


def io_names(n_layer: int) -> tuple[list[str], list[str]]:
    past = [f"past_key_values.{i}.{kind}" for i in range(n_layer) for kind in ("key", "value")]
    present = [f"present.{i}.{kind}" for i in range(n_layer) for kind in ("key", "value")]
    return ["input_ids", "attention_mask", "position_ids", *past], ["logits", *present]


def export(model: GPT, path: Path, opset: int) -> None:
    cfg = model.cfg
    inputs, outputs = io_names(cfg.n_layer)
    b, s, p = 1, 3, 2
    past = [torch.zeros(b, cfg.n_head, p, cfg.head_dim) for _ in range(2 * cfg.n_layer)]
    args = (torch.ones(b, s, dtype=torch.long), torch.ones(b, p + s, dtype=torch.long), torch.arange(p, p + s)[None], *past)
    axes = {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "total"}, "position_ids": {0: "batch", 1: "seq"},
            "logits": {0: "batch"}}
    axes |= {n: {0: "batch", 2: "past"} for n in inputs[3:]} | {n: {0: "batch", 2: "total"} for n in outputs[1:]}
    torch.onnx.export(OnnxPolicy(model).eval(), args, str(path), input_names=inputs, output_names=outputs,
                      dynamic_axes=axes, opset_version=opset, dynamo=False)


def ort_greedy(session, cfg, prompt: list[int], new_tokens: int, stop: set[int]) -> list[int]:
    feeds = {f"past_key_values.{i}.{k}": np.zeros((1, cfg.n_head, 0, cfg.head_dim), np.float32) for i in range(cfg.n_layer) for k in ("key", "value")}
    ids, out = prompt, []
    total = 0
    for _ in range(new_tokens):
        n = len(ids)
        feeds |= {"input_ids": np.array([ids], np.int64), "attention_mask": np.ones((1, total + n), np.int64),
                  "position_ids": np.arange(total, total + n, dtype=np.int64)[None]}
        results = session.run(None, feeds)
        token = int(results[0][0, -1].argmax())
        out.append(token)
        total += n
        feeds |= {f"past_key_values.{i}.{k}": results[1 + 2 * i + j] for i in range(cfg.n_layer) for j, k in enumerate(("key", "value"))}
        ids = [token]
        if token in stop:
            break
    return out


def verify(model: GPT, tokenizer: Tokenizer, path: Path, prompts: list[str], new_tokens: int) -> list[dict]:
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    stop = {tokenizer.eos_id, *(tokenizer.token_id(s) for s in STOPS)}
    vectors = []
    for text in prompts:
        prompt = tokenizer.encode_chat([{"role": "user", "content": text}])
        torch_out = generate(model, [prompt], new_tokens, StopRule(tokenizer.decode, STOPS, tokenizer.eos_id), tokenizer.pad_id, temperature=0.0)[0]
        onnx_out = ort_greedy(session, model.cfg, prompt, new_tokens, stop)
        if torch_out != onnx_out:
            raise TrainerError("INTERNAL", f"ONNX export disagrees with PyTorch on prompt {text!r}: {torch_out} vs {onnx_out}")
        vectors.append({"prompt": text, "prompt_ids": prompt, "continuation_ids": torch_out, "continuation": tokenizer.decode(torch_out)})
    return vectors


def run_export(cfg: ExportConfig) -> None:
    torch.set_num_threads(1)
    if is_hf_dir(cfg.checkpoint):
        raise config_error("config field 'checkpoint': export-onnx exports the tiny model; an HF checkpoint is served as it is (serve-hf)")
    model, tokenizer, folder = load_policy(cfg.checkpoint, "config field 'checkpoint'", torch.device("cpu"))
    model.eval()
    out = Path(cfg.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    export(model, out / "model.onnx", cfg.opset)
    shutil.copyfile(folder / "tokenizer.json", out / "tokenizer.json")
    (out / "config.json").write_text(json.dumps(contract_config(model.cfg, tokenizer, {"opset": cfg.opset}), indent=2) + "\n")
    vectors = verify(model, tokenizer, out / "model.onnx", cfg.verify_prompts or DEFAULT_PROMPTS, cfg.verify_new_tokens)
    (out / "greedy_vectors.json").write_text(json.dumps(vectors, indent=1) + "\n")
    events.done(path=str(out), model=str(out / "model.onnx"), verified_prompts=len(vectors))
