"""The Hugging Face backbone through the same SFT, PPO and turn-loop code as the tiny model: a
small random Llama-architecture model with its own BPE tokenizer and ChatML template (built by
`init-hf`, since nothing can be downloaded), trained for real on the test world."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from rag_r1_trainer.checkpoint import load_policy
from rag_r1_trainer.generate import StopRule, generate_turns
from rag_r1_trainer.hf_model import base_model_identity, load_tokenizer

from .configs import rollout_fields, tiny_config
from .conftest import LORA, hf_sft_config, run_trainer


def _losses(run) -> list[float]:
    return [e["metrics"]["loss"] for e in run.of("progress")]


@pytest.fixture(scope="session")
def hf_sft_lora(world, hf_base, tmp_path_factory):
    run = run_trainer("sft", hf_sft_config(world, hf_base, tmp_path_factory.mktemp("hf-sft-lora"), LORA))
    assert run.code == 0, run.stderr[-3000:]
    return run


# LoRA moves a random model less in 24 steps than full fine-tuning does: its rank-8 updates
# leave the (random) embeddings as they are. Measured: LoRA 6.26 -> 5.49 at lr 1e-2.
@pytest.mark.parametrize("variant, ratio", [("hf_sft_full", 0.8), ("hf_sft_lora", 0.92)])
def test_full_fine_tuning_and_lora_both_reduce_the_sft_loss(variant: str, ratio: float, request: pytest.FixtureRequest) -> None:
    losses = _losses(request.getfixturevalue(variant))
    first, last = sum(losses[:3]) / 3, sum(losses[-3:]) / 3
    assert last < ratio * first, f"{variant}: loss {first:.3f} -> {last:.3f}"


def test_a_checkpoint_is_a_from_pretrained_directory_with_the_trained_weights(hf_sft_lora, hf_base: Path) -> None:
    from transformers import AutoModelForCausalLM

    folder = hf_sft_lora.of("checkpoint")[-1]["path"]
    trained = AutoModelForCausalLM.from_pretrained(folder)
    base = AutoModelForCausalLM.from_pretrained(str(hf_base))
    ids = torch.tensor([[5, 17, 42, 7, 99]])
    with torch.no_grad():
        a, b = trained(ids).logits, base(ids).logits
    # LoRA adapters were merged into the published weights: they are not the base's.
    assert (a - b).abs().max() > 1e-3
    policy, tokenizer, _ = load_policy(folder, "checkpoint", torch.device("cpu"))
    with torch.no_grad():
        hidden, _ = policy.trunk(ids, torch.ones_like(ids), torch.arange(5)[None])
        ours = policy.project(hidden)
    torch.testing.assert_close(ours, a, atol=1e-4, rtol=1e-4)
    assert tokenizer.hf.chat_template and (Path(folder) / "adapter.safetensors").is_file()
    record = json.loads((Path(folder) / "rag_r1.json").read_text())
    assert record["base_model"]["sha256"] == base_model_identity(hf_base)["sha256"] and record["lora"] is True


def test_a_turn_stops_on_the_decoded_stop_text_spread_over_several_tokens(hf_base: Path) -> None:
    tokenizer = load_tokenizer(hf_base)
    ids = tokenizer.encode(" I look it up <search> capital of Zorvel </search> and more")
    stop = StopRule(tokenizer.decode, ["</search>", "</answer>"], tokenizer.eos_id)
    hits = [k for k in range(1, len(ids) + 1) if stop.hit(ids[:k])]
    assert len(tokenizer.encode("</search>")) > 1
    assert hits and tokenizer.decode(ids[: hits[0]]).endswith("</search>") and "</search>" not in tokenizer.decode(ids[: hits[0] - 1])


def test_generation_with_the_hf_cache_matches_a_full_forward_pass(hf_sft_full) -> None:
    policy, tokenizer, _ = load_policy(hf_sft_full.of("checkpoint")[-1]["path"], "checkpoint", torch.device("cpu"))
    policy.eval()
    contexts = [tokenizer.encode_chat([{"role": "user", "content": q}]) for q in ("Question: capital of Zorvel?", "Question: who?")]
    stop = StopRule(tokenizer.decode, ["</search>", "</answer>"], tokenizer.eos_id)
    out = generate_turns(policy, contexts, [12, 12], stop, tokenizer.pad_id, temperature=1.0, generator=torch.Generator().manual_seed(1))
    for context, gen in zip(contexts, out):
        ids = torch.tensor([context + gen.tokens])
        with torch.no_grad():
            hidden, _ = policy.trunk(ids, torch.ones_like(ids), torch.arange(ids.shape[1])[None])
            logp = torch.log_softmax(policy.project(hidden)[0, len(context) - 1 : -1].float(), -1)
        recomputed = logp.gather(-1, torch.tensor(gen.tokens)[:, None]).squeeze(-1)
        torch.testing.assert_close(recomputed, torch.tensor(gen.logprobs), atol=1e-4, rtol=0)


@pytest.mark.parametrize("algorithm, lora", [("ppo", None), ("grpo", LORA)])
def test_ppo_and_grpo_train_an_hf_policy_on_policy_and_resume(algorithm, lora, hf_sft_full, world, retriever_url, tmp_path: Path) -> None:
    start = hf_sft_full.of("checkpoint")[-1]["path"]
    config = tiny_config("ppo", **rollout_fields(max_prompt_length=400, max_start_length=200, max_response_length=24, max_turns=2),
                         retriever_url=retriever_url, train_file=str(world["ppo"]), policy_checkpoint=start, output_dir=str(tmp_path),
                         algorithm=algorithm, group_size=2, batch_size=2, mini_batch_size=1, micro_batch_size=4, total_steps=2,
                         checkpoint_every=1, keep_last=2, lora=lora, gradient_checkpointing=False, seed=0)
    run = run_trainer("ppo", config)
    assert run.code == 0, run.stderr[-3000:]
    steps = [e["metrics"] for e in run.of("progress")]
    assert len(steps) == 2 and all(m["onpolicy_max_gap"] < 1e-3 for m in steps), steps
    last = Path(run.of("checkpoint")[-1]["path"])
    assert (last / "config.json").is_file() and ((last / "critic.safetensors").is_file() == (algorithm == "ppo"))
    # The base model's identity carries through SFT into the PPO checkpoint.
    sft_record = json.loads((Path(start) / "rag_r1.json").read_text())
    assert json.loads((last / "rag_r1.json").read_text())["base_model"] == sft_record["base_model"]
    resumed = run_trainer("ppo", {**config, "total_steps": 3}, resume_from=str(Path(run.of("checkpoint")[0]["path"])))
    assert resumed.code == 0, resumed.stderr[-3000:]
    assert [e["step"] for e in resumed.of("progress")] == [2, 3]


def test_bad_hf_input_fails_naming_it(world, hf_base: Path, tmp_path: Path) -> None:
    not_hf = run_trainer("sft", hf_sft_config(world, world["corpus"].parent, tmp_path / "a", None))
    assert not_hf.code == 2 and "model.path" in not_hf.of("error")[0]["message"]
    bad_target = run_trainer("sft", hf_sft_config(world, hf_base, tmp_path / "b", {**LORA, "target_modules": ["c_attn"]}))
    assert bad_target.code == 2 and "lora.target_modules" in bad_target.of("error")[0]["message"] and "q_proj" in bad_target.of("error")[0]["message"]
    no_template = tmp_path / "no-template"
    import shutil

    shutil.copytree(hf_base, no_template)
    for f in no_template.glob("chat_template*"):
        f.unlink()
    config_file = no_template / "tokenizer_config.json"
    config_file.write_text(config_file.read_text().replace('"chat_template"', '"unused_template"'))
    no_chat = run_trainer("sft", hf_sft_config(world, no_template, tmp_path / "c", None))
    assert no_chat.code == 2 and "chat template" in no_chat.of("error")[0]["message"]
    if not torch.cuda.is_available():
        cuda = run_trainer("sft", hf_sft_config(world, hf_base, tmp_path / "d", None, device="cuda"))
        assert cuda.code == 2 and "cuda" in cuda.of("error")[0]["message"]
