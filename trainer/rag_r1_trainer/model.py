"""A small pre-LN GPT (rotary or learned positions, tied embeddings) with a KV cache, and its
value model.

The forward signature mirrors the ONNX contract (input_ids, attention_mask over past+new tokens,
position_ids, past key/values), so the exported graph is this module traced as is.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

KvCache = list[tuple[torch.Tensor, torch.Tensor]]
NEG_INF = -1e9


@dataclass(frozen=True)
class ModelConfig:
    vocab_size: int
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    max_position: int = 512
    # Rotary positions encode offsets, so what attention learns on short pretraining passages
    # carries to documents hundreds of tokens into an episode; "learned" is the older layout.
    positions: Literal["learned", "rotary"] = "learned"

    @property
    def head_dim(self) -> int:
        return self.n_embd // self.n_head

    def to_json(self) -> dict:
        return asdict(self)


class Block(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.n_head, self.head_dim = cfg.n_head, cfg.head_dim
        self.ln1 = nn.LayerNorm(cfg.n_embd)
        self.qkv = nn.Linear(cfg.n_embd, 3 * cfg.n_embd)
        self.proj = nn.Linear(cfg.n_embd, cfg.n_embd)
        self.ln2 = nn.LayerNorm(cfg.n_embd)
        self.mlp = nn.Sequential(
            nn.Linear(cfg.n_embd, 4 * cfg.n_embd), nn.GELU(), nn.Linear(4 * cfg.n_embd, cfg.n_embd)
        )

    def forward(
        self,
        x: torch.Tensor,
        bias: torch.Tensor,
        past: tuple[torch.Tensor, torch.Tensor] | None,
        rotary: tuple[torch.Tensor, torch.Tensor] | None,
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        b, s, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)
        q, k, v = (t.view(b, s, self.n_head, self.head_dim).transpose(1, 2) for t in (q, k, v))
        if rotary is not None:
            q, k = apply_rotary(q, *rotary), apply_rotary(k, *rotary)
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        # The fused kernel never materialises the [q, k] score matrix: 2-3x faster SFT steps on CPU.
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=bias).transpose(1, 2).reshape(b, s, d)
        x = x + self.proj(y)
        x = x + self.mlp(self.ln2(x))
        return x, (k, v)


def attention_bias(
    attention_mask: torch.Tensor, query_len: int, segment_ids: torch.Tensor | None = None
) -> torch.Tensor:
    """Additive bias [b, 1, q, k]: causal, padding, and (when packing) same-segment only."""
    total = attention_mask.shape[1]
    past = total - query_len
    key_pos = torch.arange(total, device=attention_mask.device)
    query_pos = torch.arange(query_len, device=attention_mask.device) + past
    allowed = (key_pos[None, :] <= query_pos[:, None])[None, :, :] & (attention_mask[:, None, :] > 0)
    if segment_ids is not None:
        allowed = allowed & (segment_ids[:, :, None] == segment_ids[:, None, :])
    zero = torch.zeros((), dtype=torch.float32, device=attention_mask.device)
    return torch.where(allowed, zero, torch.full_like(zero, NEG_INF))[:, None, :, :]


def rotary_tables(position_ids: torch.Tensor, head_dim: int) -> tuple[torch.Tensor, torch.Tensor]:
    """cos/sin [b, 1, s, head_dim] for RoPE (base 10000, halves rotated as in GPT-NeoX/Llama)."""
    inv_freq = 1.0 / (10000 ** (torch.arange(0, head_dim, 2, device=position_ids.device, dtype=torch.float32) / head_dim))
    angles = position_ids.float()[:, :, None] * inv_freq[None, None, :]
    angles = torch.cat([angles, angles], dim=-1)[:, None, :, :]
    return angles.cos(), angles.sin()


def apply_rotary(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    rotated = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
    return (x * cos + rotated * sin).to(x.dtype)


class Trunk(nn.Module):
    """Embeddings + blocks + final norm; shared by the policy and the value model."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.wte = nn.Embedding(cfg.vocab_size, cfg.n_embd)
        self.wpe = nn.Embedding(cfg.max_position, cfg.n_embd) if cfg.positions == "learned" else None
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.n_embd)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        position_ids: torch.Tensor,
        past: KvCache | None = None,
        segment_ids: torch.Tensor | None = None,
        use_cache: bool = False,  # the backbone interface's; this trunk always returns its cache
    ) -> tuple[torch.Tensor, KvCache]:
        x = self.wte(input_ids)
        rotary = None
        if self.wpe is not None:
            x = x + self.wpe(position_ids.clamp(0, self.cfg.max_position - 1))
        else:
            rotary = rotary_tables(position_ids, self.cfg.head_dim)
        bias = attention_bias(attention_mask, input_ids.shape[1], segment_ids).to(x.dtype)
        presents: KvCache = []
        for i, block in enumerate(self.blocks):
            x, kv = block(x, bias, past[i] if past is not None else None, rotary)
            presents.append(kv)
        return self.ln_f(x), presents


class GPT(nn.Module):
    """Causal LM; the output projection is the transposed token embedding. Its `trunk`,
    `project` and `max_position` are the backbone interface that hf_model.HfPolicy also has."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.trunk = Trunk(cfg)
        self.apply(_init_weights)

    @property
    def max_position(self) -> int:
        return self.cfg.max_position

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        position_ids: torch.Tensor,
        past: KvCache | None = None,
        segment_ids: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, KvCache]:
        hidden, presents = self.trunk(input_ids, attention_mask, position_ids, past, segment_ids)
        return self.project(hidden), presents

    def project(self, hidden: torch.Tensor) -> torch.Tensor:
        """Hidden states -> vocabulary logits. Training calls it only on positions that carry a
        loss, because this projection is the largest matmul of a small model."""
        return hidden @ self.trunk.wte.weight.t()


class ValueModel(nn.Module):
    """Critic: a trunk (initialised from the policy) plus a scalar head per position."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.trunk = Trunk(cfg)
        self.value_head = nn.Linear(cfg.n_embd, 1)
        self.apply(_init_weights)
        nn.init.zeros_(self.value_head.weight)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, position_ids: torch.Tensor) -> torch.Tensor:
        hidden, _ = self.trunk(input_ids, attention_mask, position_ids)
        return self.value_head(hidden).squeeze(-1).float()


def _init_weights(module: nn.Module) -> None:
    if isinstance(module, nn.Linear):
        nn.init.normal_(module.weight, std=0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.Embedding):
        nn.init.normal_(module.weight, std=0.02)


def positions_from_mask(attention_mask: torch.Tensor) -> torch.Tensor:
    """Left-padded rows: position = number of real tokens before this one (pads get 0)."""
    return (attention_mask.long().cumsum(dim=1) - 1).clamp(min=0)


def token_logprobs(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return torch.log_softmax(logits.float(), dim=-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)


def entropy_from_logits(logits: torch.Tensor) -> torch.Tensor:
    logp = torch.log_softmax(logits.float(), dim=-1)
    return -(logp.exp() * logp).sum(-1)


def cross_entropy(logits: torch.Tensor, targets: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Mean next-token loss over positions with weight 1 (weights 0 contribute exactly nothing)."""
    losses = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), targets.reshape(-1), reduction="none")
    w = weights.flatten().float()
    return (losses * w).sum() / w.sum().clamp(min=1.0)
