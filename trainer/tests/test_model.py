"""The model's two position layouts: KV-cache decoding equals a full pass, left padding does not
change a row's logits, and a rotary checkpoint exports to ONNX that decodes like PyTorch."""

import pytest
import torch

from rag_r1_trainer.checkpoint import save_checkpoint
from rag_r1_trainer.generate import left_pad
from rag_r1_trainer.model import GPT, ModelConfig, positions_from_mask
from rag_r1_trainer.tokenizer import Tokenizer

from .conftest import run_trainer


@pytest.mark.parametrize("positions", ["learned", "rotary"])
def test_cached_decoding_equals_a_full_pass(positions: str) -> None:
    torch.manual_seed(0)
    model = GPT(ModelConfig(vocab_size=50, n_layer=2, n_head=2, n_embd=32, max_position=64, positions=positions)).eval()
    rows = [[1, 5, 7, 9, 11, 13], [1, 8, 3]]
    ids, mask = left_pad(rows, 0, torch.device("cpu"))
    with torch.no_grad():
        full, _ = model(ids, mask, positions_from_mask(mask))
        prefix, past = model(ids[:, :-2], mask[:, :-2], positions_from_mask(mask[:, :-2]))
        positions_now = positions_from_mask(mask)
        step1, past = model(ids[:, -2:-1], mask[:, :-1], positions_now[:, -2:-1], past)
        step2, _ = model(ids[:, -1:], mask, positions_now[:, -1:], past)
        alone, _ = model(torch.tensor([rows[1]]), torch.ones(1, 3, dtype=torch.long), torch.arange(3)[None])
    torch.testing.assert_close(step1[:, -1], full[:, -2], atol=1e-5, rtol=0)
    torch.testing.assert_close(step2[:, -1], full[:, -1], atol=1e-5, rtol=0)
    torch.testing.assert_close(full[1, -3:], alone[0], atol=1e-5, rtol=0)


def test_rotary_positions_are_relative() -> None:
    """Shifting every position by the same offset leaves a rotary model's logits unchanged."""
    torch.manual_seed(1)
    model = GPT(ModelConfig(vocab_size=50, n_layer=2, n_head=2, n_embd=32, max_position=512, positions="rotary")).eval()
    ids, mask = torch.tensor([[1, 4, 9, 16, 25]]), torch.ones(1, 5, dtype=torch.long)
    with torch.no_grad():
        at_zero, _ = model(ids, mask, torch.arange(5)[None])
        at_300, _ = model(ids, mask, torch.arange(300, 305)[None])
    torch.testing.assert_close(at_zero, at_300, atol=1e-4, rtol=0)


def test_rotary_checkpoint_exports_and_decodes_like_pytorch(world, tmp_path) -> None:
    tokenizer = Tokenizer.load(world["tokenizer"])
    torch.manual_seed(2)
    model = GPT(ModelConfig(tokenizer.vocab_size, n_layer=2, n_head=2, n_embd=32, max_position=128, positions="rotary"))
    folder = save_checkpoint(str(tmp_path / "ckpt"), 1, tokenizer, model, {"kind": "sft", "step": 1}, 1)
    # export-onnx fails unless onnxruntime's greedy tokens equal PyTorch's on every prompt.
    run = run_trainer("export-onnx", {"checkpoint": str(folder), "output_dir": str(tmp_path / "onnx"),
                                      "verify_prompts": ["Question: What is the capital of Zorvelia?"], "verify_new_tokens": 12})
    assert run.code == 0, run.stderr[-3000:]
    assert '"positions": "rotary"' in (tmp_path / "onnx" / "config.json").read_text()
