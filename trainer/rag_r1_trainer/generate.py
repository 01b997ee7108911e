"""Batched sampling with a KV cache: left-padded prefill, then one token at a time."""

from __future__ import annotations

import torch

from .model import GPT, positions_from_mask


def left_pad(rows: list[list[int]], pad_id: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, width - len(r) :] = torch.tensor(r, dtype=torch.long)
        mask[i, width - len(r) :] = 1
    return ids.to(device), mask.to(device)


def sample_token(logits: torch.Tensor, temperature: float, top_p: float, generator: torch.Generator | None) -> torch.Tensor:
    """Greedy when temperature is 0; otherwise temperature + nucleus sampling."""
    if temperature <= 0:
        return logits.argmax(-1)
    probs = torch.softmax(logits.float() / temperature, dim=-1)
    if top_p < 1.0:
        sorted_p, order = probs.sort(dim=-1, descending=True)
        keep = sorted_p.cumsum(-1) - sorted_p < top_p
        sorted_p = sorted_p * keep
        probs = torch.zeros_like(probs).scatter(-1, order, sorted_p)
    choice = torch.multinomial(probs.cpu(), 1, generator=generator).squeeze(-1)
    return choice.to(logits.device)


@torch.no_grad()
def generate(
    model: GPT,
    contexts: list[list[int]],
    max_new_tokens: int,
    stop_ids: set[int],
    pad_id: int,
    temperature: float = 1.0,
    top_p: float = 1.0,
    generator: torch.Generator | None = None,
) -> list[list[int]]:
    """Continuations of each context, each ending at (and including) its first stop token."""
    device = next(model.parameters()).device
    ids, mask = left_pad(contexts, pad_id, device)
    max_pos = model.cfg.max_position
    budget = min(max_new_tokens, max(0, max_pos - ids.shape[1]))
    hidden, past = model.trunk(ids, mask, positions_from_mask(mask))
    next_logits = model.project(hidden[:, -1])
    positions = mask.sum(dim=1, keepdim=True)
    out: list[list[int]] = [[] for _ in contexts]
    finished = torch.zeros(len(contexts), dtype=torch.bool)
    stops = torch.tensor(sorted(stop_ids), dtype=torch.long, device=device)
    for _ in range(budget):
        token = sample_token(next_logits, temperature, top_p, generator)
        for i in (~finished).nonzero().flatten().tolist():
            out[i].append(int(token[i]))
        finished |= torch.isin(token, stops).cpu()
        if bool(finished.all()):
            break
        mask = torch.cat([mask, torch.ones_like(mask[:, :1])], dim=1)
        logits, past = model(token[:, None], mask, positions, past)
        positions = positions + 1
        next_logits = logits[:, -1]
    return out
