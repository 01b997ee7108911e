"""Validated configs for every subcommand, with `tiny` and `paper` presets.

A config is a JSON object (file path or inline JSON). `"preset"` picks defaults that the
object's own keys override; unknown keys and bad values fail with the field named.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import config_error
from .presets import PRESETS


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelShape(Strict):
    n_layer: int = Field(4, ge=1)
    n_head: int = Field(4, ge=1)
    n_embd: int = Field(128, ge=8)
    max_position: int = Field(512, ge=16)


class Runtime(Strict):
    seed: int = 0
    device: Literal["auto", "cpu", "cuda"] = "auto"
    bf16: bool = Field(True, description="bf16 autocast on CUDA; CPU always runs fp32")
    threads: int = Field(1, ge=1, description="torch CPU threads (1 is fastest for the tiny model, and on a busy machine)")
    output_dir: str
    checkpoint_every: int = Field(50, ge=1)
    keep_last: int = Field(3, ge=1)
    log_every: int = Field(1, ge=1)


class SftConfig(Runtime):
    preset: Literal["tiny", "paper"] | None = None
    train_file: str
    eval_file: str | None = None
    tokenizer: str = Field(description="tokenizer.json path")
    init_checkpoint: str | None = Field(None, description="start from these weights instead of scratch")
    model: ModelShape = ModelShape()
    seq_len: int = Field(512, ge=8, description="longest sample in tokens (longer ones keep their last seq_len)")
    batch_size: int = Field(8, ge=1, description="a micro-batch holds at most batch_size x seq_len tokens, padding included")
    grad_accum: int = Field(1, ge=1)
    lr: float = Field(1e-3, gt=0)
    warmup_steps: int = Field(10, ge=0)
    lr_schedule: Literal["constant", "cosine"] = Field("constant", description="after warmup: constant, or cosine decay to 0.1x")
    batching: Literal["length", "packed"] = Field("length", description="length-bucketed batches, or rows of seq_len packed in order")
    fold_prefixes: bool = Field(True, description="fold a sample that is a prefix of another into it (same loss tokens, fewer tokens)")
    weight_decay: float = Field(0.0, ge=0)
    grad_clip: float = Field(1.0, gt=0)
    epochs: float = Field(1.0, gt=0)
    max_steps: int | None = Field(None, ge=1, description="overrides epochs when set")
    log_batch_ids: bool = Field(False, description="include sample ids of each step in progress events")


class Environment(Strict):
    """The agent environment's text, defined once in lib/agent/environment.json: the TypeScript
    stage that starts the trainer passes that object here, so the trainer keeps no copy of it."""

    information_open: str = Field(min_length=1, description="written before an observation body")
    information_close: str = Field(min_length=1, description="written after it; kept when an observation is cut")
    invalid_action_correction: str = Field(min_length=1, description="appended after a turn without a valid action")
    stop_sequences: list[str] = Field(min_length=1, description="a turn is cut after the first of these it contains, in order")
    template_example_answer: str = Field(min_length=1, description="the prompt templates' example answer")
    prompt_query_limit: int = Field(ge=1, description="queries per mq search call the prompt allows")
    query_separator: str = Field(min_length=1, max_length=1, description="the mq search text is split on this")


class RolloutFields(Strict):
    """The turn loop of spec section 1; shared by `ppo` and `probe`."""

    retriever_url: str
    environment: Environment = Field(description="lib/agent/environment.json, as the TypeScript side parsed it")
    mode: Literal["sq", "mq"] = "sq"
    topk: int = Field(3, ge=1)
    max_turns: int = Field(5, ge=0)
    max_response_length: int = Field(500, ge=1, description="tokens per generation turn")
    max_obs_length: int = Field(1000, ge=1)
    max_prompt_length: int = Field(8192, ge=16)
    max_start_length: int = Field(2048, ge=8)
    temperature: float = Field(1.0, gt=0)
    top_p: float = Field(0.95, gt=0, le=1)
    format_reward: float = Field(0.0, description="spec: 0 (no format reward)")
    state_masking: bool = Field(True, description="mask <information> and invalid-action tokens")


class PpoConfig(Runtime, RolloutFields):
    preset: Literal["tiny", "paper"] | None = None
    train_file: str
    policy_checkpoint: str = Field(description="the SFT checkpoint: policy, reference and critic start here")
    critic_checkpoint: str | None = None
    algorithm: Literal["ppo", "grpo"] = "ppo"
    group_size: int = Field(1, ge=1, description="rollouts per prompt (GRPO needs >= 2)")
    batch_size: int = Field(512, ge=1, description="prompts per step")
    mini_batch_size: int = Field(128, ge=1, description="prompts per optimizer step")
    micro_batch_size: int = Field(32, ge=1, description="sequences per forward pass")
    ppo_epochs: int = Field(1, ge=1)
    actor_lr: float = Field(1e-6, gt=0)
    critic_lr: float = Field(1e-5, gt=0)
    actor_warmup_ratio: float = Field(0.285, ge=0, le=1)
    critic_warmup_ratio: float = Field(0.015, ge=0, le=1)
    kl_beta: float = Field(0.001, ge=0)
    gamma: float = Field(1.0, ge=0, le=1)
    lam: float = Field(1.0, ge=0, le=1)
    clip_ratio: float = Field(0.2, gt=0)
    value_clip: float = Field(0.5, gt=0)
    entropy_coeff: float = Field(0.001, ge=0)
    grad_clip: float = Field(1.0, gt=0)
    total_steps: int = Field(500, ge=1)


class ProbeConfig(RolloutFields):
    checkpoint: str
    data_file: str
    output_file: str | None = Field(None, description="per-question outputs (jsonl)")
    repeats: int = Field(1, ge=1, description="rollouts per question")
    batch_size: int = Field(64, ge=1)
    seed: int = 0
    device: Literal["auto", "cpu", "cuda"] = "auto"
    threads: int = Field(1, ge=1)


class TokenizerConfig(Strict):
    inputs: list[str] = Field(min_length=1, description="corpus / sample jsonl files")
    output: str
    max_vocab: int = Field(8000, ge=300)
    min_count: int = Field(1, ge=1)


class ExportConfig(Strict):
    checkpoint: str
    output_dir: str
    opset: int = Field(17, ge=14)
    verify_prompts: list[str] = Field(default_factory=list)
    verify_new_tokens: int = Field(16, ge=1)


M = TypeVar("M", bound=BaseModel)


def read_config_source(source: str) -> dict[str, Any]:
    text = source.strip()
    if not text.startswith("{"):
        path = Path(source)
        if not path.is_file():
            raise config_error(f"--config: file not found: {source}")
        text = path.read_text()
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise config_error(f"--config: not valid JSON ({exc})") from exc
    if not isinstance(raw, dict):
        raise config_error("--config: expected a JSON object")
    return raw


def parse_config(kind: str, model: type[M], raw: dict[str, Any]) -> M:
    """Applies the preset (if any) under the given keys, then validates."""
    preset_name = raw.get("preset")
    merged = dict(raw)
    if preset_name is not None:
        preset = PRESETS.get(kind, {}).get(preset_name) if isinstance(preset_name, str) else None
        if preset is None:
            raise config_error(f"config field 'preset': unknown preset {preset_name!r} for {kind}")
        merged = {**preset, **raw}
    try:
        return model.model_validate(merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(root)"
        raise config_error(f"config field '{field}': {first['msg']}") from exc
