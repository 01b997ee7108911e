"""Episodes -> aligned training tensors, and batched log-prob / value passes."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .backbone import Policy
from .model import entropy_from_logits, token_logprobs
from .rollout import Episode


@dataclass
class Batch:
    ids: torch.Tensor
    attn: torch.Tensor
    pos: torch.Tensor
    resp: torch.Tensor
    info: torch.Tensor
    sample_logp: torch.Tensor
    sampled: torch.Tensor
    last_index: torch.Tensor
    scores: torch.Tensor

    def select(self, index: torch.Tensor) -> "Batch":
        return Batch(*(getattr(self, f)[index] for f in self.__dataclass_fields__))

    @property
    def targets(self) -> torch.Tensor:
        return self.ids[:, 1:]


def build_batch(episodes: list[Episode], pad_id: int, state_masking: bool, device: torch.device) -> Batch:
    seqs = [e.prompt + e.response for e in episodes]
    width = max(len(s) for s in seqs)
    n = len(seqs)
    ids = torch.full((n, width), pad_id, dtype=torch.long)
    attn = torch.zeros((n, width), dtype=torch.long)
    resp = torch.zeros((n, width - 1))
    info = torch.zeros((n, width - 1))
    sample_logp = torch.zeros((n, width - 1))
    last = torch.zeros(n, dtype=torch.long)
    for i, (e, s) in enumerate(zip(episodes, seqs)):
        ids[i, : len(s)] = torch.tensor(s)
        attn[i, : len(s)] = 1
        start = len(e.prompt) - 1
        resp[i, start : start + len(e.response)] = 1
        written = e.info if state_masking else [1] * len(e.response)
        info[i, start : start + len(e.response)] = torch.tensor(written, dtype=torch.float32)
        sample_logp[i, start : start + len(e.response)] = torch.tensor(e.logp, dtype=torch.float32)
        last[i] = len(s) - 2
    pos = torch.arange(width).expand(n, width).clone()
    scores = torch.tensor([e.reward for e in episodes], dtype=torch.float32)
    sampled = (~sample_logp.isnan()).float()
    tensors = (ids, attn, pos, resp, info, sample_logp.nan_to_num(0.0), sampled, last, scores)
    return Batch(*(t.to(device) for t in tensors))


def policy_pass(model: Policy, b: Batch, temperature: float, with_entropy: bool = False) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Log-probs (and entropies) of the targets at the rollout's sampling temperature, computed
    only where `info` is set: every loss, KL and entropy term is masked by it, and the
    vocabulary projection is the costly part."""
    hidden, _ = model.trunk(b.ids, b.attn, b.pos)
    keep = b.info > 0
    logits = model.project(hidden[:, :-1][keep]).float() / temperature
    logp = torch.zeros(b.info.shape, dtype=torch.float32, device=b.info.device)
    logp[keep] = token_logprobs(logits, b.targets[keep])
    if not with_entropy:
        return logp, None
    entropy = torch.zeros_like(logp)
    entropy[keep] = entropy_from_logits(logits)
    return logp, entropy


def value_pass(critic: torch.nn.Module, b: Batch) -> torch.Tensor:
    return critic(b.ids, b.attn, b.pos)[:, :-1]


@torch.no_grad()
def in_chunks(fn, b: Batch, size: int) -> torch.Tensor:
    parts = []
    for start in range(0, b.ids.shape[0], size):
        out = fn(b.select(torch.arange(start, min(start + size, b.ids.shape[0]), device=b.ids.device)))
        parts.append(out[0] if isinstance(out, tuple) else out)
    return torch.cat(parts)
