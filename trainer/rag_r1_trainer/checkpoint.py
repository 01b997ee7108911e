"""Checkpoint directories: weights, model/tokenizer config, and the trainer state for resume.

Tiny layout: `<output_dir>/checkpoint-<step>/` with `config.json` (the ONNX contract's fields),
`tokenizer.json`, `model.pt` (policy), optional `critic.pt`, `trainer_state.pt`. HF layout: what
`save_pretrained` writes (adapters merged in), plus `rag_r1.json`, optional `adapter.safetensors`
and `critic.safetensors`, `trainer_state.pt`. A checkpoint is written to a temporary folder and
renamed, so a killed trainer never leaves a half one.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from .config import Lora
from .errors import checkpoint_error, config_error
from .backbone import Policy, TextCodec
from .hf_model import HfCritic, HfPolicy, apply_lora, base_model_identity, check_hf_dir, is_hf_dir, load_causal_lm, load_tokenizer, merged_causal_lm, trainable_state
from .model import GPT, ModelConfig, ValueModel
from .tokenizer import Tokenizer

ADAPTER_FILE = "adapter.safetensors"
CRITIC_FILE = "critic.safetensors"


def contract_config(cfg: ModelConfig, tokenizer: Tokenizer, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        **cfg.to_json(),
        "head_dim": cfg.head_dim,
        "eos_token_id": tokenizer.eos_id,
        "pad_token_id": tokenizer.pad_id,
        "bos_token_id": tokenizer.bos_id,
        **(extra or {}),
    }


def save_checkpoint(
    output_dir: str,
    step: int,
    tokenizer: TextCodec,
    policy: Policy,
    state: dict[str, Any],
    keep_last: int,
    critic: nn.Module | None = None,
) -> Path:
    """Writes `<output_dir>/checkpoint-<step>` in the policy's own format: the tiny layout, or
    a save_pretrained directory that `from_pretrained` loads."""
    root = Path(output_dir)
    root.mkdir(parents=True, exist_ok=True)
    final = root / f"checkpoint-{step:06d}"
    tmp = root / f".tmp-checkpoint-{step:06d}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    if isinstance(policy, HfPolicy):
        _write_hf(tmp, step, tokenizer, policy, critic)
    else:
        (tmp / "config.json").write_text(json.dumps(contract_config(policy.cfg, tokenizer, {"step": step}), indent=2) + "\n")
        tokenizer.save(tmp / "tokenizer.json")
        torch.save(policy.state_dict(), tmp / "model.pt")
        if critic is not None:
            torch.save(critic.state_dict(), tmp / "critic.pt")
    torch.save(state, tmp / "trainer_state.pt")
    shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)
    for old in sorted(root.glob("checkpoint-*"))[:-keep_last]:
        shutil.rmtree(old, ignore_errors=True)
    return final


def _write_hf(folder: Path, step: int, tokenizer: TextCodec, policy: HfPolicy, critic: nn.Module | None) -> None:
    merged_causal_lm(policy).save_pretrained(str(folder))
    tokenizer.save(folder)
    lora = policy.lm is not policy.causal_lm
    if lora:
        save_file(trainable_state(policy.lm), str(folder / ADAPTER_FILE))
    if critic is not None:
        save_file({k: v.detach().cpu().contiguous() for k, v in critic.state_dict().items()}, str(folder / CRITIC_FILE))
    record = {"backbone": "hf", "step": step, "lora": lora, "base_model": policy.base_model}
    (folder / "rag_r1.json").write_text(json.dumps(record, indent=2) + "\n")


def check_dir(path: str | None, what: str) -> Path:
    folder = Path(path or "")
    if not path or not (folder / "config.json").is_file() or not (folder / "model.pt").is_file():
        raise checkpoint_error(f"{what}: checkpoint not found or incomplete (needs config.json and model.pt): {path}")
    return folder


def read_model_config(folder: Path) -> ModelConfig:
    raw = json.loads((folder / "config.json").read_text())
    try:
        # Checkpoints written before rotary positions existed have learned ones.
        return ModelConfig(raw["vocab_size"], raw["n_layer"], raw["n_head"], raw["n_embd"], raw["max_position"],
                           raw.get("positions", "learned"))
    except KeyError as exc:
        raise checkpoint_error(f"{folder}/config.json: missing field {exc}") from exc


def load_policy(path: str | None, what: str, device: torch.device, lora: Lora | None = None,
                gradient_checkpointing: bool = False) -> tuple[Policy, TextCodec, Path]:
    """A tiny checkpoint or an HF model directory, whichever `path` holds; LoRA adapters and
    gradient checkpointing apply to HF models only."""
    if path and is_hf_dir(path):
        folder = check_hf_dir(path, what)
        lm = load_causal_lm(folder)
        if gradient_checkpointing:
            lm.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        policy = HfPolicy(apply_lora(lm, lora, "lora"), base_model_identity(folder))
        return policy.to(device), load_tokenizer(folder), folder
    if lora is not None or gradient_checkpointing:
        raise config_error(f"{what}: lora and gradient_checkpointing need a Hugging Face model; {path} is a tiny checkpoint")
    folder = check_dir(path, what)
    model = GPT(read_model_config(folder))
    model.load_state_dict(torch.load(folder / "model.pt", map_location="cpu"))
    return model.to(device), Tokenizer.load(folder / "tokenizer.json"), folder


def load_critic(path: str | None, what: str, device: torch.device, lora: Lora | None = None) -> nn.Module:
    """A checkpoint's critic if it has one; otherwise a new value head on the policy's trunk."""
    if path and is_hf_dir(path):
        folder = check_hf_dir(path, what)
        lm = load_causal_lm(folder)
        critic = HfCritic(apply_lora(getattr(lm, lm.base_model_prefix), lora, "lora"), lm.config.hidden_size)
        if (folder / CRITIC_FILE).is_file():
            critic.load_state_dict(load_file(str(folder / CRITIC_FILE)))
        return critic.to(device)
    folder = check_dir(path, what)
    critic = ValueModel(read_model_config(folder))
    if (folder / "critic.pt").is_file():
        critic.load_state_dict(torch.load(folder / "critic.pt", map_location="cpu"))
    else:
        policy = torch.load(folder / "model.pt", map_location="cpu")
        trunk = {k.removeprefix("trunk."): v for k, v in policy.items() if k.startswith("trunk.")}
        critic.trunk.load_state_dict(trunk)
    return critic.to(device)


def restore_policy(policy: Policy, folder: str | Path, device: torch.device) -> None:
    """Resume: the checkpoint's trained weights into a policy built as the run started it
    (for LoRA only the adapters train, so only they are read)."""
    folder = Path(folder)
    if not isinstance(policy, HfPolicy):
        policy.load_state_dict(torch.load(folder / "model.pt", map_location=device))
        return
    if policy.lm is not policy.causal_lm:
        _load_exact(policy.lm, folder / ADAPTER_FILE)
        return
    fresh = load_causal_lm(check_hf_dir(str(folder), "--resume-from"))
    policy.causal_lm.load_state_dict(fresh.state_dict())


def restore_critic(critic: nn.Module, folder: str | Path, device: torch.device) -> None:
    folder = Path(folder)
    if isinstance(critic, HfCritic):
        critic.load_state_dict(load_file(str(folder / CRITIC_FILE), device=str(device)))
    else:
        critic.load_state_dict(torch.load(folder / "critic.pt", map_location=device))


def _load_exact(module: nn.Module, file: Path) -> None:
    if not file.is_file():
        raise checkpoint_error(f"--resume-from: {file} is missing")
    missing = module.load_state_dict(load_file(str(file)), strict=False).unexpected_keys
    if missing:
        raise checkpoint_error(f"--resume-from: {file} has tensors the model lacks: {missing[:3]}")


def load_trainer_state(folder: str) -> dict[str, Any]:
    file = Path(folder) / "trainer_state.pt"
    if not file.is_file():
        raise checkpoint_error(f"--resume-from: no trainer_state.pt in {folder} (missing checkpoint?)")
    return torch.load(file, map_location="cpu", weights_only=False)
