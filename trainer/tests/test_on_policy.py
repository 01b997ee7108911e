"""PPO/GRPO are on-policy by construction: before any update, the log-probs training computes
equal the ones each token was sampled with, for multi-turn episodes that fill the context."""

import torch

from rag_r1_trainer.checkpoint import load_policy
from rag_r1_trainer.config import ProbeConfig
from rag_r1_trainer.ppo_batch import build_batch, policy_pass
from rag_r1_trainer.retrieval import RetrievalClient
from rag_r1_trainer.rollout import Rollout

from .test_ppo import ROLLOUT


def _rollouts(world, retriever_url, sft_checkpoint, **fields):
    policy, tokenizer, _ = load_policy(sft_checkpoint, "checkpoint", torch.device("cpu"))
    policy.eval()
    cfg = ProbeConfig.model_validate(
        {**ROLLOUT, "checkpoint": sft_checkpoint, "data_file": str(world["ppo"]), "retriever_url": retriever_url, **fields}
    )
    items = [{"id": str(i), "prompt": p, "golden_answers": ["x"]} for i, p in enumerate(_prompts(world))]
    episodes = Rollout(tokenizer, cfg, RetrievalClient(retriever_url, cfg.topk)).run(policy, items, torch.Generator().manual_seed(3))
    return policy, tokenizer, cfg, episodes


def _prompts(world) -> list[str]:
    import json

    rows = [json.loads(line) for line in world["ppo"].read_text().splitlines()]
    return [r["prompt"] for r in rows[:24]]


def test_recomputed_logprobs_equal_sampling_logprobs(world, retriever_url, sft_checkpoint) -> None:
    # A 140-token cap on a 256-position model, sampled hot: episodes search and read, and
    # others go on past an invalid turn until the cap ends them (the old sliding window's case).
    policy, tokenizer, cfg, episodes = _rollouts(world, retriever_url, sft_checkpoint, max_turns=3, max_prompt_length=140,
                                                 temperature=1.2, top_p=1.0)
    assert any(e.retrievals >= 1 for e in episodes)
    assert any(e.finish == "context_full" and e.invalid + e.retrievals >= 1 for e in episodes)
    assert all(len(e.prompt) + len(e.response) <= 140 for e in episodes)
    batch = build_batch(episodes, tokenizer.pad_id, state_masking=True, device=torch.device("cpu"))
    with torch.no_grad():
        logp, _ = policy_pass(policy, batch, cfg.temperature)
    mask = batch.sampled * batch.info
    assert int(mask.sum()) == sum(sum(e.info) for e in episodes)
    gap = ((logp - batch.sample_logp).abs() * mask).max()
    assert float(gap) < 1e-4, float(gap)
    # The check has teeth: scoring at another temperature is visibly off-policy.
    with torch.no_grad():
        other, _ = policy_pass(policy, batch, 1.0)
    assert float(((other - batch.sample_logp).abs() * mask).max()) > 0.05
