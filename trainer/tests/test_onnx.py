"""export-onnx: the graph follows the KV-cache contract and agrees with PyTorch greedy decoding."""

import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch

from rag_r1_trainer.checkpoint import load_policy
from rag_r1_trainer.export_onnx import STOPS
from rag_r1_trainer.generate import StopRule, generate, left_pad
from rag_r1_trainer.model import positions_from_mask

from .conftest import run_trainer

PROMPTS = ["Question: What is the capital of Zorvelia?", "Question: Where?", "Question: What is the capital of France?"]


def test_export_matches_pytorch_greedy_and_contract(sft_checkpoint: str, tmp_path: Path) -> None:
    run = run_trainer("export-onnx", {"checkpoint": sft_checkpoint, "output_dir": str(tmp_path), "verify_prompts": PROMPTS, "verify_new_tokens": 24})
    assert run.code == 0, run.stderr[-3000:]
    config = json.loads((tmp_path / "config.json").read_text())
    for key in ("vocab_size", "n_layer", "n_head", "n_embd", "head_dim", "max_position", "eos_token_id", "pad_token_id"):
        assert isinstance(config[key], int)
    vectors = json.loads((tmp_path / "greedy_vectors.json").read_text())
    assert [v["prompt"] for v in vectors] == PROMPTS
    assert all(len(v["continuation_ids"]) > 0 for v in vectors)

    # Independently: a left-padded batch through onnxruntime equals PyTorch's next-token logits.
    model, tokenizer, _ = load_policy(sft_checkpoint, "checkpoint", torch.device("cpu"))
    model.eval()
    session = ort.InferenceSession(str(tmp_path / "model.onnx"), providers=["CPUExecutionProvider"])
    rows = [v["prompt_ids"] for v in vectors]
    ids, mask = left_pad(rows, tokenizer.pad_id, torch.device("cpu"))
    feeds = {"input_ids": ids.numpy(), "attention_mask": mask.numpy(), "position_ids": positions_from_mask(mask).numpy()}
    feeds |= {f"past_key_values.{i}.{k}": np.zeros((len(rows), config["n_head"], 0, config["head_dim"]), np.float32)
              for i in range(config["n_layer"]) for k in ("key", "value")}
    names = [o.name for o in session.get_outputs()]
    assert names[0] == "logits" and names[1] == "present.0.key"
    outputs = session.run(None, feeds)
    with torch.no_grad():
        logits, _ = model(ids, mask, positions_from_mask(mask))
    np.testing.assert_allclose(outputs[0][:, -1], logits[:, -1].numpy(), atol=1e-4)
    assert outputs[1].shape == (len(rows), config["n_head"], ids.shape[1], config["head_dim"])
    stop = StopRule(tokenizer.decode, STOPS, tokenizer.eos_id)
    batched = generate(model, rows, 24, stop, tokenizer.pad_id, temperature=0.0)
    assert batched == [v["continuation_ids"] for v in vectors]
