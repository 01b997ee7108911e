"""`probe`: roll out a checkpoint over a QA file (reward, retrievals, per-question outputs)."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from . import events
from .checkpoint import load_policy
from .config import ProbeConfig
from .ppo import load_questions
from .retrieval import RetrievalClient
from .rollout import Rollout, episode_metrics
from .runtime import resolve_device, seed_everything


def run_probe(cfg: ProbeConfig) -> dict[str, float]:
    device = resolve_device(cfg.device, cfg.threads)
    seed_everything(cfg.seed)
    policy, tokenizer, _ = load_policy(cfg.checkpoint, "config field 'checkpoint'", device)
    policy.eval()
    items = [it for it in load_questions(cfg.data_file) for _ in range(cfg.repeats)]
    rollout = Rollout(tokenizer, cfg, RetrievalClient(cfg.retriever_url, cfg.topk))
    generator = torch.Generator().manual_seed(cfg.seed)
    episodes = []
    for start in range(0, len(items), cfg.batch_size):
        episodes += rollout.run(policy, items[start : start + cfg.batch_size], generator)
        events.progress(len(episodes), len(items), episode_metrics(episodes))
    if cfg.output_file:
        Path(cfg.output_file).parent.mkdir(parents=True, exist_ok=True)
        with open(cfg.output_file, "w") as out:
            for e in episodes:
                out.write(json.dumps({"id": e.item_id, "response": e.text, "reward": e.reward, "retrievals": e.retrievals}) + "\n")
    metrics = episode_metrics(episodes)
    events.done(n=len(episodes), metrics=metrics)
    return metrics
