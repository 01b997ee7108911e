"""Device choice, seeding, RNG state capture and learning-rate schedules."""

from __future__ import annotations

import contextlib
import math
import random

import numpy as np
import torch

from .errors import TrainerError


def resolve_device(requested: str, threads: int) -> torch.device:
    torch.set_num_threads(threads)
    if requested == "cuda" and not torch.cuda.is_available():
        raise TrainerError("DEVICE_UNAVAILABLE", "config field 'device': 'cuda' requested but no CUDA GPU is available")
    if requested == "cuda" or (requested == "auto" and torch.cuda.is_available()):
        return torch.device("cuda")
    return torch.device("cpu")


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)


def rng_state() -> dict:
    state = {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def load_rng_state(state: dict) -> None:
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def autocast(device: torch.device, bf16: bool) -> contextlib.AbstractContextManager:
    if device.type == "cuda" and bf16:
        return torch.autocast(device_type="cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def warmup_constant(warmup_steps: int):
    """Linear warmup then constant (veRL's actor/critic schedule)."""
    return lambda step: min(1.0, (step + 1) / warmup_steps) if warmup_steps > 0 else 1.0


def warmup_cosine(warmup_steps: int, total_steps: int, floor: float = 0.1):
    """Linear warmup, then cosine decay to `floor` x the peak at the last step."""
    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
        return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))

    return factor
