"""`sft`: format-learning SFT with loss only on model-written tokens, length-bucketed batches, accumulation."""

from __future__ import annotations

import math
from pathlib import Path

import torch

from . import events
from .backbone import Policy, TextCodec
from .checkpoint import load_policy, load_trainer_state, restore_policy, save_checkpoint
from .config import SftConfig
from .errors import config_error
from .hf_model import check_hf_dir
from .model import GPT, ModelConfig, cross_entropy
from .runtime import autocast, load_rng_state, resolve_device, rng_state, seed_everything, warmup_constant, warmup_cosine
from .sampler import ResumableSampler
from .sft_data import EncodedSample, length_batches, load_sft_samples, merge_prefixes, pack
from .tokenizer import Tokenizer


def collate(samples: list[EncodedSample], rows: list[list[int]], seq_len: int, pad_id: int) -> dict[str, torch.Tensor]:
    """Rows -> tensors as wide as the longest row (at most seq_len); positions restart and
    attention stays inside each sample when a row packs several."""
    b = len(rows)
    width = min(seq_len, max(sum(len(samples[i].ids) for i in row) for row in rows))
    ids = torch.full((b, width), pad_id, dtype=torch.long)
    seg = torch.zeros((b, width), dtype=torch.long)
    pos = torch.zeros((b, width), dtype=torch.long)
    loss = torch.zeros((b, width), dtype=torch.float32)
    for r, row in enumerate(rows):
        at = 0
        for k, index in enumerate(row):
            s = samples[index]
            n = len(s.ids)
            ids[r, at : at + n] = torch.tensor(s.ids)
            seg[r, at : at + n] = k + 1
            pos[r, at : at + n] = torch.arange(n)
            loss[r, at : at + n] = torch.tensor(s.loss, dtype=torch.float32)
            at += n
    return {
        "input_ids": ids[:, :-1], "position_ids": pos[:, :-1], "segment_ids": seg[:, :-1],
        "attention_mask": (seg[:, :-1] > 0).long(), "labels": ids[:, 1:],
        # A target counts only if it is a loss token of the same sample as its context.
        "weights": loss[:, 1:] * (seg[:, 1:] == seg[:, :-1]).float(),
    }


def sft_loss(model: Policy, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    hidden, _ = model.trunk(batch["input_ids"], batch["attention_mask"], batch["position_ids"], segment_ids=batch["segment_ids"])
    keep = batch["weights"] > 0
    return cross_entropy(model.project(hidden[keep]), batch["labels"][keep], batch["weights"][keep])


def _batches_fn(samples: list[EncodedSample], cfg: SftConfig):
    def make(order: list[int]) -> list[list[list[int]]]:
        if cfg.batching == "length":
            return length_batches(samples, order, cfg.batch_size * cfg.seq_len)
        rows = pack(samples, order, cfg.seq_len)
        return [rows[i : i + cfg.batch_size] for i in range(0, len(rows), cfg.batch_size)]

    return make


def _build_model(cfg: SftConfig, device: torch.device) -> tuple[Policy, TextCodec]:
    """The policy to train and its tokenizer: an HF model directory (optionally with LoRA), a
    tiny checkpoint to continue, or a new tiny model."""
    shape = cfg.model
    if shape.kind == "hf":
        check_hf_dir(shape.path, "config field 'model.path'")
        if cfg.init_checkpoint:
            raise config_error("config field 'init_checkpoint': an HF model starts from model.path")
        if cfg.batching == "packed":
            raise config_error("config field 'batching': the HF backbone trains 'length' batches (packed rows need per-sample attention)")
        model, tokenizer, _ = load_policy(shape.path, "config field 'model.path'", device, shape.lora, shape.gradient_checkpointing)
    elif cfg.init_checkpoint:
        model, tokenizer, _ = load_policy(cfg.init_checkpoint, "config field 'init_checkpoint'", device)
    else:
        if not cfg.tokenizer:
            raise config_error("config field 'tokenizer': the tiny model needs a tokenizer.json")
        if shape.n_embd % shape.n_head:
            raise config_error("config field 'model.n_embd': must be divisible by model.n_head")
        tokenizer = Tokenizer.load(cfg.tokenizer)
        gpt = ModelConfig(tokenizer.vocab_size, shape.n_layer, shape.n_head, shape.n_embd, shape.max_position, shape.positions)
        model = GPT(gpt).to(device)
    if cfg.seq_len > model.max_position:
        raise config_error(f"config field 'seq_len': {cfg.seq_len} exceeds the model's {model.max_position} positions")
    return model, tokenizer


@torch.no_grad()
def evaluate(model: Policy, samples: list[EncodedSample], cfg: SftConfig, pad_id: int, device: torch.device) -> float:
    model.eval()
    total, weight = 0.0, 0.0
    for rows in length_batches(samples, list(range(len(samples))), cfg.batch_size * cfg.seq_len):
        batch = {k: v.to(device) for k, v in collate(samples, rows, cfg.seq_len, pad_id).items()}
        with autocast(device, cfg.bf16):
            loss = sft_loss(model, batch)
        w = float(batch["weights"].sum())
        total, weight = total + float(loss) * w, weight + w
    model.train()
    return total / max(weight, 1.0)


def run_sft(cfg: SftConfig, resume_from: str | None) -> None:
    device = resolve_device(cfg.device, cfg.threads)
    seed_everything(cfg.seed)
    model, tokenizer = _build_model(cfg, device)
    fold = merge_prefixes if cfg.fold_prefixes else (lambda loaded: loaded)
    samples = fold(load_sft_samples(tokenizer, cfg.train_file, cfg.seq_len))
    eval_samples = fold(load_sft_samples(tokenizer, cfg.eval_file, cfg.seq_len)) if cfg.eval_file else []
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=cfg.lr, weight_decay=cfg.weight_decay, betas=(0.9, 0.95))
    sampler = ResumableSampler(len(samples), cfg.seed, _batches_fn(samples, cfg))
    per_epoch = len(sampler.batches_for(0))
    total = cfg.max_steps or max(1, math.ceil(cfg.epochs * per_epoch / cfg.grad_accum))
    schedule = warmup_cosine(cfg.warmup_steps, total) if cfg.lr_schedule == "cosine" else warmup_constant(cfg.warmup_steps)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    step, best = 0, {"eval_loss": None, "path": None}
    if resume_from:
        state = load_trainer_state(resume_from)
        restore_policy(model, resume_from, device)
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        sampler.load_state(state["sampler"])
        load_rng_state(state["rng"])
        step, best = state["step"], state["best"]
    model.train()
    while step < total:
        step += 1
        optimizer.zero_grad(set_to_none=True)
        losses, ids = [], []
        for _ in range(cfg.grad_accum):
            rows = sampler.next_batch()
            ids += [[samples[i].sample_id for i in row] for row in rows]
            batch = {k: v.to(device) for k, v in collate(samples, rows, cfg.seq_len, tokenizer.pad_id).items()}
            with autocast(device, cfg.bf16):
                loss = sft_loss(model, batch)
            (loss / cfg.grad_accum).backward()
            losses.append(float(loss))
        grad_norm = float(torch.nn.utils.clip_grad_norm_(trainable, cfg.grad_clip))
        optimizer.step()
        scheduler.step()
        if step % cfg.log_every == 0 or step == total:
            metrics = {"loss": sum(losses) / len(losses), "grad_norm": grad_norm, "lr": scheduler.get_last_lr()[0], "epoch": sampler.epoch}
            if cfg.log_batch_ids:
                metrics["batch_ids"] = ids
            events.progress(step, total, metrics)
        if step % cfg.checkpoint_every == 0 or step == total:
            eval_loss = evaluate(model, eval_samples, cfg, tokenizer.pad_id, device) if eval_samples else None
            path = Path(cfg.output_dir) / f"checkpoint-{step:06d}"
            if eval_loss is not None and (best["eval_loss"] is None or eval_loss < best["eval_loss"]):
                best = {"eval_loss": eval_loss, "path": str(path)}
            state = {"kind": "sft", "step": step, "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                     "sampler": sampler.state(), "rng": rng_state(), "best": best}
            save_checkpoint(cfg.output_dir, step, tokenizer, model, state, cfg.keep_last)
            events.checkpoint(str(path), step, eval_loss=eval_loss)
    events.done(step=step, checkpoint=str(Path(cfg.output_dir) / f"checkpoint-{step:06d}"), best=best)
