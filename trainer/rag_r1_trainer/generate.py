"""Batched sampling with a KV cache: left-padded prefill, then one token at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import torch

from .model import positions_from_mask


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


Generators = torch.Generator | list[torch.Generator] | None


def sample_token(logits: torch.Tensor, temperature: float, top_p: float, generator: Generators) -> torch.Tensor:
    """Greedy when temperature is 0; otherwise temperature + nucleus sampling, from one
    generator for the batch or one per row (a server batching requests with their own seeds)."""
    if temperature <= 0:
        return logits.argmax(-1)
    probs = torch.softmax(logits.float() / temperature, dim=-1)
    if top_p < 1.0:
        sorted_p, order = probs.sort(dim=-1, descending=True)
        keep = sorted_p.cumsum(-1) - sorted_p < top_p
        sorted_p = sorted_p * keep
        probs = torch.zeros_like(probs).scatter(-1, order, sorted_p)
    if isinstance(generator, list):
        return torch.cat([torch.multinomial(probs[i : i + 1], 1, generator=g) for i, g in enumerate(generator)]).squeeze(-1)
    return torch.multinomial(probs, 1, generator=generator).squeeze(-1)


def device_generator(generator: Generators, device: torch.device) -> Generators:
    """A generator on the model's device, seeded from the caller's (CPU) one: sampling stays
    where the logits are (copying [batch, vocab] probabilities to the CPU every token made
    rollouts 2.5x slower than transformers' generate on a GPU), and a run stays reproducible
    and resumable from the caller's generator state alone."""
    if generator is None:
        return None
    if isinstance(generator, list):
        return [device_generator(g, device) for g in generator]
    seed = int(torch.randint(0, 2**62, (1,), generator=generator))
    return torch.Generator(device=device).manual_seed(seed)


class StopRule:
    """A turn ends on EOS or once its decoded text contains a stop string. Real tokenizers
    write `</search>` as several ordinary tokens (`</`, `search`, `>`), so token ids cannot be
    matched; the tiny tokenizer decodes its tag tokens to the same strings."""

    def __init__(self, decode: Callable[[Iterable[int]], str], strings: Iterable[str], eos_id: int) -> None:
        self.decode, self.strings, self.eos_id = decode, tuple(strings), eos_id
        # A stop string spans at most one token per character; a few more cover a token that
        # decodes to nothing alone (a partial UTF-8 byte).
        self.window = max((len(s) for s in self.strings), default=0) + 4

    def hit(self, tokens: list[int]) -> bool:
        """Whether the newest token completes a stop; earlier ones were checked as they came."""
        if tokens[-1] == self.eos_id:
            return True
        tail = self.decode(tokens[-self.window :])
        return any(s in tail for s in self.strings)


@dataclass
class Generation:
    tokens: list[int]
    logprobs: list[float]
    stopped: bool  # on a stop string or EOS, not on its token budget


@torch.no_grad()
def generate_turns(
    model: torch.nn.Module,
    contexts: list[list[int]],
    budgets: list[int],
    stop: StopRule | list[StopRule],
    pad_id: int,
    temperature: float = 1.0,
    top_p: float = 1.0,
    generator: Generators = None,
) -> list[Generation]:
    """Continuations of each context (any backbone), each ending with the token that completes
    its first stop or after its own budget of new tokens, with each token's sampling log-prob.
    The caller keeps every context plus its budget within the model's positions: nothing here
    drops tokens."""
    device = next(model.parameters()).device
    if any(len(c) + b > model.max_position for c, b in zip(contexts, budgets)):
        raise ValueError("generate_turns: a context plus its budget exceeds the model's max_position")
    ids, mask = left_pad(contexts, pad_id, device)
    hidden, past = model.trunk(ids, mask, positions_from_mask(mask), use_cache=True)
    next_logits = model.project(hidden[:, -1])
    positions = mask.sum(dim=1, keepdim=True)
    out = [Generation([], [], False) for _ in contexts]
    stops = stop if isinstance(stop, list) else [stop] * len(contexts)
    generator = device_generator(generator, device)
    remaining = torch.tensor(budgets, dtype=torch.long)
    finished = remaining <= 0
    while not bool(finished.all()):
        token = sample_token(next_logits, temperature, top_p, generator)
        logp = scaled_logprobs(next_logits, temperature).gather(-1, token[:, None]).squeeze(-1).cpu()
        sampled = token.cpu().tolist()
        for i in (~finished).nonzero().flatten().tolist():
            out[i].tokens.append(sampled[i])
            out[i].logprobs.append(float(logp[i]))
            out[i].stopped = stops[i].hit(out[i].tokens)
            finished[i] = out[i].stopped
        remaining -= 1
        finished |= remaining <= 0
        if bool(finished.all()):
            break
        mask = torch.cat([mask, torch.ones_like(mask[:, :1])], dim=1)
        hidden, past = model.trunk(token[:, None], mask, positions, past, use_cache=True)
        positions = positions + 1
        next_logits = model.project(hidden[:, -1])
    return out


def generate(
    model: torch.nn.Module,
    contexts: list[list[int]],
    max_new_tokens: int,
    stop: StopRule,
    pad_id: int,
    temperature: float = 1.0,
    top_p: float = 1.0,
    generator: torch.Generator | None = None,
) -> list[list[int]]:
    """Token ids only, each row's budget capped by the room left in the model's positions."""
    room = [max(0, min(max_new_tokens, model.max_position - len(c))) for c in contexts]
    return [g.tokens for g in generate_turns(model, contexts, room, stop, pad_id, temperature, top_p, generator)]
