"""Batched sampling with a KV cache: left-padded prefill, then one token at a time."""

from __future__ import annotations

from dataclasses import dataclass

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


def scaled_logprobs(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """Log-probs of the distribution a token is sampled from at `temperature` (before top-p).
    Training recomputes exactly this, as veRL does, so PPO's ratio starts at 1."""
    scale = temperature if temperature > 0 else 1.0
    return torch.log_softmax(logits.float() / scale, dim=-1)


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


@dataclass
class Generation:
    tokens: list[int]
    logprobs: list[float]
    stopped: bool  # on a stop token, not on its token budget


@torch.no_grad()
def generate_turns(
    model: GPT,
    contexts: list[list[int]],
    budgets: list[int],
    stop_ids: set[int],
    pad_id: int,
    temperature: float = 1.0,
    top_p: float = 1.0,
    generator: torch.Generator | None = None,
) -> list[Generation]:
    """Continuations of each context, each ending at (and including) its first stop token or
    after its own budget of new tokens, with each token's sampling log-prob. The caller keeps
    every context plus its budget within the model's positions: nothing here drops tokens."""
    device = next(model.parameters()).device
    if any(len(c) + b > model.cfg.max_position for c, b in zip(contexts, budgets)):
        raise ValueError("generate_turns: a context plus its budget exceeds the model's max_position")
    ids, mask = left_pad(contexts, pad_id, device)
    hidden, past = model.trunk(ids, mask, positions_from_mask(mask))
    next_logits = model.project(hidden[:, -1])
    positions = mask.sum(dim=1, keepdim=True)
    out = [Generation([], [], False) for _ in contexts]
    remaining = torch.tensor(budgets, dtype=torch.long)
    finished = remaining <= 0
    stops = torch.tensor(sorted(stop_ids), dtype=torch.long, device=device)
    while not bool(finished.all()):
        token = sample_token(next_logits, temperature, top_p, generator)
        logp = scaled_logprobs(next_logits, temperature).gather(-1, token[:, None]).squeeze(-1).cpu()
        is_stop = torch.isin(token, stops).cpu()
        for i in (~finished).nonzero().flatten().tolist():
            out[i].tokens.append(int(token[i]))
            out[i].logprobs.append(float(logp[i]))
            out[i].stopped = bool(is_stop[i])
        remaining -= 1
        finished |= is_stop | (remaining <= 0)
        if bool(finished.all()):
            break
        mask = torch.cat([mask, torch.ones_like(mask[:, :1])], dim=1)
        logits, past = model(token[:, None], mask, positions, past)
        positions = positions + 1
        next_logits = logits[:, -1]
    return out


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
    """Token ids only, each row's budget capped by the room left in the model's positions."""
    room = [max(0, min(max_new_tokens, model.cfg.max_position - len(c))) for c in contexts]
    return [g.tokens for g in generate_turns(model, contexts, room, stop_ids, pad_id, temperature, top_p, generator)]
