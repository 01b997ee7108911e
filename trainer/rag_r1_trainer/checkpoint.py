"""Checkpoint directories: weights, model/tokenizer config, and the trainer state for resume.

Layout: `<output_dir>/checkpoint-<step>/` with `config.json` (the ONNX contract's fields),
`tokenizer.json`, `model.pt` (policy), optional `critic.pt`, `trainer_state.pt`. A checkpoint is
written to a temporary folder and renamed, so a killed trainer never leaves a half one.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import torch

from .errors import checkpoint_error
from .model import GPT, ModelConfig, ValueModel
from .tokenizer import Tokenizer


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
    tokenizer: Tokenizer,
    weights: dict[str, dict[str, torch.Tensor]],
    state: dict[str, Any],
    keep_last: int,
    cfg: ModelConfig,
) -> Path:
    root = Path(output_dir)
    root.mkdir(parents=True, exist_ok=True)
    final = root / f"checkpoint-{step:06d}"
    tmp = root / f".tmp-checkpoint-{step:06d}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    (tmp / "config.json").write_text(json.dumps(contract_config(cfg, tokenizer, {"step": step}), indent=2) + "\n")
    tokenizer.save(tmp / "tokenizer.json")
    for name, sd in weights.items():
        torch.save(sd, tmp / f"{name}.pt")
    torch.save(state, tmp / "trainer_state.pt")
    shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)
    for old in sorted(root.glob("checkpoint-*"))[:-keep_last]:
        shutil.rmtree(old, ignore_errors=True)
    return final


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


def load_policy(path: str | None, what: str, device: torch.device) -> tuple[GPT, Tokenizer, Path]:
    folder = check_dir(path, what)
    model = GPT(read_model_config(folder))
    model.load_state_dict(torch.load(folder / "model.pt", map_location="cpu"))
    return model.to(device), Tokenizer.load(folder / "tokenizer.json"), folder


def load_critic(path: str | None, what: str, device: torch.device) -> ValueModel:
    """A critic checkpoint if it has critic.pt; otherwise a new value head on the policy's trunk."""
    folder = check_dir(path, what)
    critic = ValueModel(read_model_config(folder))
    if (folder / "critic.pt").is_file():
        critic.load_state_dict(torch.load(folder / "critic.pt", map_location="cpu"))
    else:
        policy = torch.load(folder / "model.pt", map_location="cpu")
        trunk = {k.removeprefix("trunk."): v for k, v in policy.items() if k.startswith("trunk.")}
        critic.trunk.load_state_dict(trunk)
    return critic.to(device)


def load_trainer_state(folder: str) -> dict[str, Any]:
    file = Path(folder) / "trainer_state.pt"
    if not file.is_file():
        raise checkpoint_error(f"--resume-from: no trainer_state.pt in {folder} (missing checkpoint?)")
    return torch.load(file, map_location="cpu", weights_only=False)
