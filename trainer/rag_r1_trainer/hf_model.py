"""Hugging Face backbones behind the tiny GPT's interface (`trunk`, `project`, `max_position`,
`encode_chat`), so SFT, PPO, GRPO and the turn loop keep one code path for both.

A checkpoint directory is what `save_pretrained` writes (config.json with a `model_type`,
safetensors, tokenizer files with a chat template), so `AutoModelForCausalLM.from_pretrained`
loads it as is. LoRA adapters are merged into the published weights; the adapter tensors are
kept beside them for resume.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import torch
from torch import nn

from .errors import checkpoint_error, config_error

KvCache = Any  # a transformers Cache


def is_hf_dir(path: str | Path) -> bool:
    config = Path(path) / "config.json"
    if not config.is_file():
        return False
    try:
        return "model_type" in json.loads(config.read_text())
    except json.JSONDecodeError:
        return False


def check_hf_dir(path: str | None, what: str) -> Path:
    folder = Path(path or "")
    if not path or not folder.is_dir():
        raise checkpoint_error(f"{what}: not a directory: {path}")
    if not is_hf_dir(folder):
        raise checkpoint_error(f"{what}: {folder} is not a Hugging Face model directory (no config.json with a model_type)")
    if not any(folder.glob("*.safetensors")) and not any(folder.glob("*.bin")):
        raise checkpoint_error(f"{what}: {folder} has a config.json but no weights (*.safetensors)")
    return folder


class HfTokenizer:
    """A transformers tokenizer with the tiny Tokenizer's surface. Environment text and model
    text are encoded without added special tokens; the chat template writes the prompt."""

    def __init__(self, hf: Any, where: str) -> None:
        if not getattr(hf, "chat_template", None):
            raise checkpoint_error(f"{where}: the tokenizer has no chat template (tokenizer_config.json or chat_template.jinja)")
        if hf.eos_token_id is None:
            raise checkpoint_error(f"{where}: the tokenizer has no eos token")
        self.hf = hf

    @property
    def vocab_size(self) -> int:
        return len(self.hf)

    @property
    def eos_id(self) -> int:
        return int(self.hf.eos_token_id)

    @property
    def pad_id(self) -> int:
        return int(self.hf.pad_token_id if self.hf.pad_token_id is not None else self.hf.eos_token_id)

    @property
    def bos_id(self) -> int | None:
        return self.hf.bos_token_id

    def encode(self, text: str) -> list[int]:
        return list(self.hf.encode(text, add_special_tokens=False))

    def decode(self, ids: Iterable[int], skip_special: bool = False) -> str:
        return self.hf.decode([int(i) for i in ids], skip_special_tokens=skip_special)

    def encode_chat(self, messages: list[dict[str, str]]) -> list[int]:
        rendered = self.hf.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        return self.encode(rendered)

    def save(self, folder: str | Path) -> None:
        self.hf.save_pretrained(str(folder))


def load_tokenizer(folder: Path) -> HfTokenizer:
    from transformers import AutoTokenizer

    return HfTokenizer(AutoTokenizer.from_pretrained(str(folder)), str(folder))


class HfPolicy(nn.Module):
    """A causal LM split as the tiny GPT is: the decoder body (`trunk`) and the LM head
    (`project`), so training projects only the positions that carry a loss."""

    def __init__(self, lm: nn.Module, base_model: dict[str, str] | None = None) -> None:
        super().__init__()
        self.lm = lm
        # Recorded in every checkpoint (rag_r1.json) and so in the run's comparability stamp.
        self.base_model = base_model or {}

    @property
    def causal_lm(self) -> nn.Module:
        """The transformers model under a PEFT wrapper, if any (its layers carry the adapters)."""
        return self.lm.get_base_model() if hasattr(self.lm, "get_base_model") else self.lm

    @property
    def max_position(self) -> int:
        return int(self.causal_lm.config.max_position_embeddings)

    def trunk(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        position_ids: torch.Tensor,
        past: KvCache | None = None,
        segment_ids: torch.Tensor | None = None,
        use_cache: bool = False,
    ) -> tuple[torch.Tensor, KvCache | None]:
        if segment_ids is not None and int(segment_ids.max()) > 1:
            raise config_error("config field 'batching': packed rows need per-sample attention, which the HF backbone does not build; use 'length'")
        body = getattr(self.causal_lm, self.causal_lm.base_model_prefix)
        # The cache goes positionally: transformers renamed its keyword (past_key_values -> cache).
        out = body(input_ids, attention_mask, position_ids, past, use_cache=use_cache)
        return out[0], (out[1] if use_cache else None)

    def project(self, hidden: torch.Tensor) -> torch.Tensor:
        return self.causal_lm.get_output_embeddings()(hidden)


class HfCritic(nn.Module):
    """The critic: the policy's decoder body plus a scalar head per position (zero-initialised,
    so the first values are 0 as in the tiny ValueModel)."""

    def __init__(self, body: nn.Module, hidden_size: int) -> None:
        super().__init__()
        self.body = body
        self.value_head = nn.Linear(hidden_size, 1)
        nn.init.zeros_(self.value_head.weight)
        nn.init.zeros_(self.value_head.bias)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, position_ids: torch.Tensor) -> torch.Tensor:
        hidden = self.body(input_ids, attention_mask, position_ids, None, use_cache=False)[0]
        return self.value_head(hidden).squeeze(-1).float()


IDENTITY_FILES = ("*.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json", "chat_template.jinja")


def base_model_identity(folder: Path) -> dict[str, str]:
    """The model a checkpoint descends from: its own record if it is one of ours, otherwise the
    SHA-256 over this directory's weights, config and tokenizer files (names and bytes)."""
    record = folder / "rag_r1.json"
    if record.is_file():
        base = json.loads(record.read_text()).get("base_model")
        if isinstance(base, dict) and "sha256" in base:
            return base
    digest = hashlib.sha256()
    for file in sorted({f for pattern in IDENTITY_FILES for f in folder.glob(pattern)}):
        digest.update(file.name.encode() + b"\0")
        with open(file, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    return {"path": str(folder.resolve()), "sha256": digest.hexdigest()}


def load_causal_lm(folder: Path) -> nn.Module:
    from transformers import AutoModelForCausalLM

    # fp32 master weights: bf16 runs as autocast on CUDA, as for the tiny model.
    return AutoModelForCausalLM.from_pretrained(str(folder), dtype=torch.float32)


def apply_lora(model: nn.Module, lora: Any | None, what: str) -> nn.Module:
    """Wraps `model` with LoRA adapters (only they train) when the config asks for them."""
    if lora is None:
        return model
    from peft import LoraConfig, get_peft_model

    present = {name.rsplit(".", 1)[-1] for name, _ in model.named_modules()}
    missing = [t for t in lora.target_modules if t not in present]
    if missing:
        linear = sorted({n.rsplit(".", 1)[-1] for n, m in model.named_modules() if isinstance(m, nn.Linear)})
        raise config_error(f"config field '{what}.target_modules': {missing} not in the model (its linear layers: {linear})")
    config = LoraConfig(r=lora.r, lora_alpha=lora.alpha, lora_dropout=lora.dropout, target_modules=list(lora.target_modules))
    return get_peft_model(model, config)


def merged_causal_lm(policy: HfPolicy) -> nn.Module:
    """The transformers model with any adapters folded in: what is published and served."""
    if not hasattr(policy.lm, "merge_and_unload"):
        return policy.lm
    import copy

    return copy.deepcopy(policy.lm).merge_and_unload()


def trainable_state(module: nn.Module) -> dict[str, torch.Tensor]:
    return {n: p.detach().cpu().contiguous() for n, p in module.named_parameters() if p.requires_grad}
