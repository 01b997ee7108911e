"""Retrieved (environment) tokens get exactly zero gradient in SFT and PPO losses."""

import torch

from rag_r1_trainer.model import GPT, ModelConfig, cross_entropy, entropy_from_logits, token_logprobs
from rag_r1_trainer.ppo_math import masked_mean, policy_loss
from rag_r1_trainer.sft import collate
from rag_r1_trainer.sft_data import encode_sample
from rag_r1_trainer.tokenizer import build_tokenizer

INFO = "\n<information>\nDoc 1: Canberra   Canberra is the capital .\n</information>\n"


def _setup():
    torch.manual_seed(0)
    tok = build_tokenizer(["capital of Australia Canberra is the", INFO])
    model = GPT(ModelConfig(tok.vocab_size, n_layer=2, n_head=2, n_embd=32, max_position=128))
    return tok, model


def test_sft_gradient_is_exactly_zero_on_retrieved_positions() -> None:
    tok, model = _setup()
    rows = [
        {"id": "a", "messages": [{"role": "user", "content": "capital of Australia?"}],
         "context": "<think> x </think><search> capital </search>" + INFO, "target": "<think> is Canberra </think><answer> Canberra </answer>"},
        {"id": "b", "messages": [{"role": "user", "content": "q"}],
         "segments": [{"text": "<search> q </search>", "loss": True}, {"text": INFO, "loss": False}, {"text": "<answer> the </answer>", "loss": True}]},
    ]
    samples = [encode_sample(tok, r, r["id"], 128) for r in rows]
    batch = collate(samples, [[0, 1]], 256, tok.pad_id)  # two samples packed in one row
    logits, _ = model(batch["input_ids"], batch["attention_mask"], batch["position_ids"], segment_ids=batch["segment_ids"])
    logits.retain_grad()
    cross_entropy(logits, batch["labels"], batch["weights"]).backward()
    per_position = logits.grad.abs().sum(-1)
    info_ids = set(tok.encode(INFO))
    masked = batch["weights"] == 0
    assert bool((per_position[masked] == 0).all())
    assert bool((per_position[~masked] > 0).all())
    # Every position whose target is a retrieved token is among the masked ones.
    is_info_target = torch.zeros_like(masked)
    for s_index, s in enumerate(samples):
        start = sum(len(samples[k].ids) for k in range(s_index))
        for t, (token, loss) in enumerate(zip(s.ids, s.loss)):
            if t > 0 and token in info_ids and not loss:
                is_info_target[0, start + t - 1] = True
    assert int(is_info_target.sum()) > 0
    assert bool(masked[is_info_target].all())


def test_ppo_policy_and_entropy_gradient_is_exactly_zero_on_info_masked_positions() -> None:
    tok, model = _setup()
    ids = torch.tensor([tok.encode("<think> x </think><search> capital </search>" + INFO + "<answer> Canberra </answer>")])
    n = ids.shape[1] - 1
    info = torch.ones(1, n)
    info[0, 10:25] = 0
    logits, _ = model(ids, torch.ones_like(ids), torch.arange(ids.shape[1])[None])
    logits = logits[:, :-1]
    logits.retain_grad()
    logp = token_logprobs(logits, ids[:, 1:])
    loss, _ = policy_loss(logp, logp.detach() + 0.05, torch.randn(1, n), info, 0.2)
    kl = masked_mean(logp - (logp.detach() - 0.1), info)
    (loss - 0.001 * masked_mean(entropy_from_logits(logits), info) + 0.001 * kl).backward()
    per_position = logits.grad.abs().sum(-1)[0]
    assert bool((per_position[10:25] == 0).all())
    assert bool((per_position[info[0] > 0] > 0).all())
