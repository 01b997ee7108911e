"""`ppo`: outcome-reward RL with retrieval rollouts (spec section 5); GRPO as an alternative."""

from __future__ import annotations

import copy
from pathlib import Path

import torch

from . import events
from .checkpoint import load_critic, load_policy, load_trainer_state, restore_critic, restore_policy, save_checkpoint
from .config import PpoConfig
from .errors import config_error, data_error
from .ppo_batch import Batch, build_batch, in_chunks, policy_pass, value_pass
from .ppo_math import gae, grpo_advantages, kl_k3, masked_mean, policy_loss, reward_signal, token_rewards, value_loss
from .retrieval import RetrievalClient
from .rollout import Rollout, episode_metrics
from .runtime import autocast, load_rng_state, resolve_device, rng_state, seed_everything, warmup_constant
from .sampler import ResumableSampler
from .sft_data import read_jsonl


def load_questions(path: str) -> list[dict]:
    items = []
    for number, row in read_jsonl(path, "config field 'train_file'"):
        golden = row.get("golden_answers")
        if isinstance(golden, str):
            golden = [golden]
        if not isinstance(row.get("prompt"), str) or not isinstance(golden, list) or not golden:
            raise data_error(f"{path}:{number}: needs 'prompt' (string) and 'golden_answers' (non-empty list)")
        items.append({"id": str(row.get("id", number)), "prompt": row["prompt"], "golden_answers": [str(g) for g in golden]})
    return items


def _check(cfg: PpoConfig, n_items: int) -> None:
    if cfg.algorithm == "grpo" and cfg.group_size < 2:
        raise config_error("config field 'group_size': GRPO needs at least 2 rollouts per prompt")
    if cfg.batch_size % cfg.mini_batch_size:
        raise config_error("config field 'mini_batch_size': must divide batch_size")
    if n_items < cfg.batch_size:
        raise data_error(f"config field 'train_file': {n_items} questions, fewer than batch_size {cfg.batch_size}")


class PpoTrainer:
    def __init__(self, cfg: PpoConfig, device: torch.device) -> None:
        self.cfg, self.device = cfg, device
        # The reference is the starting policy, frozen (taken before any LoRA adapter is added).
        base, self.tok, _ = load_policy(cfg.policy_checkpoint, "config field 'policy_checkpoint'", device)
        self.reference = copy.deepcopy(base).eval().requires_grad_(False)
        if cfg.lora is not None or cfg.gradient_checkpointing:
            base, _, _ = load_policy(cfg.policy_checkpoint, "config field 'policy_checkpoint'", device, cfg.lora, cfg.gradient_checkpointing)
        self.policy = base
        critic_from = cfg.critic_checkpoint or cfg.policy_checkpoint
        self.critic = load_critic(critic_from, "config field 'critic_checkpoint'", device, cfg.lora) if cfg.algorithm == "ppo" else None
        self.actor_params = [p for p in self.policy.parameters() if p.requires_grad]
        self.actor_opt = torch.optim.AdamW(self.actor_params, lr=cfg.actor_lr, weight_decay=0.0)
        self.actor_sched = torch.optim.lr_scheduler.LambdaLR(self.actor_opt, warmup_constant(int(cfg.actor_warmup_ratio * cfg.total_steps)))
        if self.critic is not None:
            self.critic_params = [p for p in self.critic.parameters() if p.requires_grad]
            self.critic_opt = torch.optim.AdamW(self.critic_params, lr=cfg.critic_lr, weight_decay=0.0)
            self.critic_sched = torch.optim.lr_scheduler.LambdaLR(self.critic_opt, warmup_constant(int(cfg.critic_warmup_ratio * cfg.total_steps)))
        self.generator = torch.Generator().manual_seed(cfg.seed)
        self.rollout = Rollout(self.tok, cfg, RetrievalClient(cfg.retriever_url, cfg.topk))

    def advantages(self, b: Batch) -> dict[str, torch.Tensor]:
        cfg, mb = self.cfg, self.cfg.micro_batch_size
        with autocast(self.device, cfg.bf16):
            old_logp = in_chunks(lambda x: policy_pass(self.policy, x, cfg.temperature), b, mb)
            ref_logp = in_chunks(lambda x: policy_pass(self.reference, x, cfg.temperature), b, mb)
            kl = (old_logp - ref_logp) * b.info
            out = {"old_logp": old_logp, "ref_logp": ref_logp, "kl": kl}
            if self.critic is None:
                out["adv"] = grpo_advantages(b.scores, cfg.group_size, b.info)
                return out
            old_values = in_chunks(lambda x: value_pass(self.critic, x), b, mb) * b.resp
        rewards = token_rewards(b.scores, b.last_index, kl, b.info, cfg.kl_beta)
        out["adv"], out["returns"] = gae(rewards, old_values, b.resp, cfg.gamma, cfg.lam)
        out["old_values"] = old_values
        return out

    def _actor_micro(self, b: Batch, d: dict[str, torch.Tensor], weight: float, stats: dict[str, float]) -> None:
        cfg = self.cfg
        with autocast(self.device, cfg.bf16):
            logp, entropy = policy_pass(self.policy, b, cfg.temperature, with_entropy=True)
        pg, clipfrac = policy_loss(logp, d["old_logp"], d["adv"], b.info, cfg.clip_ratio)
        ent = masked_mean(entropy, b.info)
        loss = pg - cfg.entropy_coeff * ent
        if self.critic is None:
            loss = loss + cfg.kl_beta * masked_mean(kl_k3(logp, d["ref_logp"]), b.info)
        (loss * weight).backward()
        for key, value in (("pg_loss", pg), ("entropy", ent), ("clipfrac", clipfrac)):
            stats[key] = stats.get(key, 0.0) + float(value) * weight

    def _critic_micro(self, b: Batch, d: dict[str, torch.Tensor], weight: float, stats: dict[str, float]) -> None:
        with autocast(self.device, self.cfg.bf16):
            values = value_pass(self.critic, b)
        loss = value_loss(values, d["old_values"], d["returns"], b.resp, self.cfg.value_clip)
        (loss * weight).backward()
        stats["value_loss"] = stats.get("value_loss", 0.0) + float(loss) * weight

    def update(self, b: Batch, d: dict[str, torch.Tensor]) -> dict[str, float]:
        cfg = self.cfg
        n = b.ids.shape[0]
        mini = cfg.mini_batch_size * cfg.group_size
        n_updates = cfg.ppo_epochs * (n // mini)
        stats: dict[str, float] = {}
        self.policy.train()
        for _ in range(cfg.ppo_epochs):
            order = torch.randperm(n, generator=self.generator).to(self.device)
            for start in range(0, n, mini):
                self.actor_opt.zero_grad(set_to_none=True)
                if self.critic is not None:
                    self.critic_opt.zero_grad(set_to_none=True)
                chunk = order[start : start + mini]
                for m in range(0, len(chunk), cfg.micro_batch_size):
                    idx = chunk[m : m + cfg.micro_batch_size]
                    mb, md = b.select(idx), {k: v[idx] for k, v in d.items()}
                    weight = len(idx) / len(chunk)
                    self._actor_micro(mb, md, weight, stats)
                    if self.critic is not None:
                        self._critic_micro(mb, md, weight, stats)
                stats["grad_norm"] = float(torch.nn.utils.clip_grad_norm_(self.actor_params, cfg.grad_clip))
                self.actor_opt.step()
                if self.critic is not None:
                    torch.nn.utils.clip_grad_norm_(self.critic_params, cfg.grad_clip)
                    self.critic_opt.step()
        self.actor_sched.step()
        if self.critic is not None:
            self.critic_sched.step()
        return {k: (v / n_updates if k != "grad_norm" else v) for k, v in stats.items()}

    def state(self, step: int, sampler: ResumableSampler) -> dict:
        state = {"kind": "ppo", "step": step, "sampler": sampler.state(), "rng": rng_state(), "generator": self.generator.get_state(),
                 "actor_opt": self.actor_opt.state_dict(), "actor_sched": self.actor_sched.state_dict(), "algorithm": self.cfg.algorithm}
        if self.critic is not None:
            state |= {"critic_opt": self.critic_opt.state_dict(), "critic_sched": self.critic_sched.state_dict()}
        return state

    def load_state(self, folder: str, sampler: ResumableSampler) -> int:
        state = load_trainer_state(folder)
        if state.get("kind") != "ppo" or state.get("algorithm") != self.cfg.algorithm:
            raise config_error(f"--resume-from: {folder} is not a {self.cfg.algorithm} checkpoint")
        restore_policy(self.policy, folder, self.device)
        self.actor_opt.load_state_dict(state["actor_opt"])
        self.actor_sched.load_state_dict(state["actor_sched"])
        if self.critic is not None:
            restore_critic(self.critic, folder, self.device)
            self.critic_opt.load_state_dict(state["critic_opt"])
            self.critic_sched.load_state_dict(state["critic_sched"])
        sampler.load_state(state["sampler"])
        load_rng_state(state["rng"])
        self.generator.set_state(state["generator"])
        return int(state["step"])


def on_policy_gap(b: Batch, old_logp: torch.Tensor) -> dict[str, float]:
    """How far the recomputed log-probs are from the sampling-time ones, before any update:
    zero up to float error when training scores exactly what was sampled."""
    mask = b.sampled * b.info
    gap = (old_logp - b.sample_logp).abs() * mask
    return {"onpolicy_max_gap": float(gap.max()) if mask.any() else 0.0, "onpolicy_mean_gap": float(masked_mean(gap, mask))}


def run_ppo(cfg: PpoConfig, resume_from: str | None) -> None:
    device = resolve_device(cfg.device, cfg.threads)
    seed_everything(cfg.seed)
    items = load_questions(cfg.train_file)
    _check(cfg, len(items))
    trainer = PpoTrainer(cfg, device)
    size = cfg.batch_size
    sampler = ResumableSampler(len(items), cfg.seed, lambda order: [[order[i : i + size]] for i in range(0, len(order) - size + 1, size)])
    step = trainer.load_state(resume_from, sampler) if resume_from else 0
    while step < cfg.total_steps:
        step += 1
        prompts = [items[i] for i in sampler.next_batch()[0] for _ in range(cfg.group_size)]
        trainer.policy.eval()
        episodes = trainer.rollout.run(trainer.policy, prompts, trainer.generator)
        batch = build_batch(episodes, trainer.tok.pad_id, cfg.state_masking, device)
        derived = trainer.advantages(batch)
        metrics = {**episode_metrics(episodes), **reward_signal(batch.scores, cfg.group_size), **on_policy_gap(batch, derived["old_logp"]),
                   "kl": float(masked_mean(derived["kl"], batch.info)), **trainer.update(batch, derived),
                   "lr": trainer.actor_sched.get_last_lr()[0], "epoch": sampler.epoch}
        if step % cfg.log_every == 0 or step == cfg.total_steps:
            events.progress(step, cfg.total_steps, metrics)
        if step % cfg.checkpoint_every == 0 or step == cfg.total_steps:
            path = save_checkpoint(cfg.output_dir, step, trainer.tok, trainer.policy, trainer.state(step, sampler), cfg.keep_last, trainer.critic)
            events.checkpoint(str(path), step)
    events.done(step=step, checkpoint=str(Path(cfg.output_dir) / f"checkpoint-{step:06d}"))
