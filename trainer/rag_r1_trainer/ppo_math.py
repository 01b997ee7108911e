"""PPO/GRPO pieces on [batch, T] tensors aligned to target tokens (index t predicts token t+1).

`resp` marks every response token (model and environment), `info` only model-written ones.
Following the spec: KL, policy loss and entropy use `info`; GAE and the value loss use `resp`.
"""

from __future__ import annotations

import torch


def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    return (x * mask).sum() / mask.sum().clamp(min=1.0)


def masked_whiten(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    mean = masked_mean(x, mask)
    var = masked_mean((x - mean) ** 2, mask)
    return (x - mean) * torch.rsqrt(var + 1e-8) * mask


def token_rewards(scores: torch.Tensor, last_index: torch.Tensor, kl: torch.Tensor, info: torch.Tensor, beta: float) -> torch.Tensor:
    """Outcome score on the last response token minus beta * KL on model-written tokens."""
    rewards = -beta * kl * info
    rewards[torch.arange(len(scores)), last_index] += scores
    return rewards


def gae(rewards: torch.Tensor, values: torch.Tensor, resp: torch.Tensor, gamma: float, lam: float) -> tuple[torch.Tensor, torch.Tensor]:
    """GAE over the response positions only (padding and prompt positions are skipped)."""
    advantages = torch.zeros_like(rewards)
    next_value = torch.zeros(rewards.shape[0], device=rewards.device)
    running = torch.zeros_like(next_value)
    for t in reversed(range(rewards.shape[1])):
        m = resp[:, t]
        delta = rewards[:, t] + gamma * next_value - values[:, t]
        new_running = delta + gamma * lam * running
        running = torch.where(m > 0, new_running, running)
        next_value = torch.where(m > 0, values[:, t], next_value)
        advantages[:, t] = running * m
    returns = advantages + values * resp
    return masked_whiten(advantages, resp), returns


def grpo_advantages(scores: torch.Tensor, group_size: int, info: torch.Tensor) -> torch.Tensor:
    grouped = scores.view(-1, group_size)
    mean, std = grouped.mean(1, keepdim=True), grouped.std(1, keepdim=True) if group_size > 1 else torch.ones_like(grouped[:, :1])
    normed = ((grouped - mean) / (std + 1e-6)).view(-1)
    return normed[:, None] * info


def kl_k3(logp: torch.Tensor, ref_logp: torch.Tensor) -> torch.Tensor:
    """Schulman's low-variance, unbiased, non-negative KL(pi||ref) estimator, as veRL's
    `low_var_kl`: exp(ref - logp) - (ref - logp) - 1, clamped as veRL does against outliers."""
    log_ratio = (ref_logp - logp).clamp(-20, 20)
    return (log_ratio.exp() - log_ratio - 1).clamp(-10, 10)


def reward_signal(scores: torch.Tensor, group_size: int) -> dict[str, float]:
    """Share of prompt groups whose rollouts all scored the same (no learning signal for
    GRPO), and whether the whole step saw no reward at all."""
    grouped = scores.view(-1, group_size)
    flat = (grouped.max(1).values == grouped.min(1).values).float().mean()
    return {"flat_group_share": float(flat), "zero_reward_step": float(bool((scores == 0).all()))}


def policy_loss(logp: torch.Tensor, old_logp: torch.Tensor, adv: torch.Tensor, info: torch.Tensor, clip: float) -> tuple[torch.Tensor, torch.Tensor]:
    ratio = torch.exp(logp - old_logp)
    unclipped, clipped = -adv * ratio, -adv * ratio.clamp(1 - clip, 1 + clip)
    loss = masked_mean(torch.maximum(unclipped, clipped), info)
    clipfrac = masked_mean((clipped > unclipped).float(), info)
    return loss, clipfrac


def value_loss(values: torch.Tensor, old_values: torch.Tensor, returns: torch.Tensor, resp: torch.Tensor, clip: float) -> torch.Tensor:
    clipped = old_values + (values - old_values).clamp(-clip, clip)
    return 0.5 * masked_mean(torch.maximum((values - returns) ** 2, (clipped - returns) ** 2), resp)
