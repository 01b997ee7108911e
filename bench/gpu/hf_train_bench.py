"""The trainer's HF backbone on a GPU, side by side with plain transformers steps of the same
shape: SFT steps (full and LoRA), PPO actor+critic updates, and batched generation with the
KV cache. Models are randomly initialised from their architectures' configs (nothing can be
downloaded on the GPU host): Qwen2.5-0.5B and SmolLM2-135M. Throughput does not depend on the
weights' values. Prints one JSON line per measurement and writes them all to $OUT.

    PYTHONPATH=trainer python bench/gpu/hf_train_bench.py [--quick] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from contextlib import nullcontext

import torch
from transformers import LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

from rag_r1_trainer.generate import StopRule, generate_turns
from rag_r1_trainer.hf_model import HfCritic, HfPolicy, apply_lora
from rag_r1_trainer.model import cross_entropy, token_logprobs
from rag_r1_trainer.ppo_math import policy_loss, value_loss

# Published architecture configs (Qwen/Qwen2.5-0.5B-Instruct and HuggingFaceTB/SmolLM2-135M-Instruct config.json).
ARCHS = {
    "qwen2.5-0.5b": lambda: Qwen2ForCausalLM(Qwen2Config(vocab_size=151936, hidden_size=896, intermediate_size=4864, num_hidden_layers=24,
                                                         num_attention_heads=14, num_key_value_heads=2, max_position_embeddings=32768,
                                                         rope_theta=1e6, tie_word_embeddings=True)),
    "smollm2-135m": lambda: LlamaForCausalLM(LlamaConfig(vocab_size=49152, hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
                                                         num_attention_heads=9, num_key_value_heads=3, max_position_embeddings=8192,
                                                         rope_theta=1e5, tie_word_embeddings=True)),
}
QUICK = {"tiny-llama": lambda: LlamaForCausalLM(LlamaConfig(vocab_size=1000, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                                                             num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=1024,
                                                             tie_word_embeddings=True))}
LORA = type("Lora", (), {"r": 16, "alpha": 32, "dropout": 0.0, "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]})


def sync() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def timed(fn, warmup: int, repeats: int) -> float:
    for _ in range(warmup):
        fn()
    sync()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    sync()
    return (time.perf_counter() - start) / repeats


def peak_reset() -> None:
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()


def peak_gib() -> float | None:
    return round(torch.cuda.max_memory_allocated() / 2**30, 2) if torch.cuda.is_available() else None


def batch(vocab: int, b: int, length: int, device: torch.device, answer_share: float = 0.25) -> dict[str, torch.Tensor]:
    """Right-padded rows whose last quarter carries the loss, as SFT step samples do."""
    ids = torch.randint(0, vocab, (b, length + 1), device=device)
    weights = torch.zeros(b, length, device=device)
    weights[:, int(length * (1 - answer_share)) :] = 1
    return {"input_ids": ids[:, :-1], "labels": ids[:, 1:], "attention_mask": torch.ones(b, length, dtype=torch.long, device=device),
            "position_ids": torch.arange(length, device=device).expand(b, length), "weights": weights}


PARTS = ("sft", "ppo", "generate", "lora")


def run(name: str, build, device: torch.device, b: int, length: int, new_tokens: int, repeats: int, results: list[dict],
        parts: tuple[str, ...] = PARTS) -> None:
    amp = torch.autocast("cuda", dtype=torch.bfloat16) if device.type == "cuda" else nullcontext()
    emit = lambda row: (results.append(row), print(json.dumps(row), flush=True))  # noqa: E731
    torch.manual_seed(0)
    lm = build().to(device)
    vocab = lm.config.vocab_size
    params = sum(p.numel() for p in lm.parameters())
    data = batch(vocab, b, length, device)
    tokens = b * length
    common = {"model": name, "params_m": round(params / 1e6, 1), "batch": b, "seq_len": length, "device": device.type, "bf16_autocast": device.type == "cuda"}

    def sft_step(policy: HfPolicy, lr: float):
        """Ours: trunk -> project only the loss positions -> masked cross-entropy (the trainer's
        sft_loss, inlined: the GPU image has no pydantic for the trainer's config module)."""
        opt = torch.optim.AdamW([p for p in policy.parameters() if p.requires_grad], lr=lr)

        def step() -> None:
            opt.zero_grad(set_to_none=True)
            with amp:
                hidden, _ = policy.trunk(data["input_ids"], data["attention_mask"], data["position_ids"])
                keep = data["weights"] > 0
                loss = cross_entropy(policy.project(hidden[keep]), data["labels"][keep], data["weights"][keep])
            loss.backward()
            opt.step()

        return step, opt

    policy = HfPolicy(lm)
    ours_sft, opt = sft_step(policy, 1e-5)

    # SFT, plain transformers: the full logits, labels -100 outside the loss span.
    labels = data["labels"].masked_fill(data["weights"] == 0, -100)

    def plain_sft() -> None:
        opt.zero_grad(set_to_none=True)
        with amp:
            out = lm(input_ids=data["input_ids"], attention_mask=data["attention_mask"])
            loss = torch.nn.functional.cross_entropy(out.logits.float().reshape(-1, vocab), labels.reshape(-1), ignore_index=-100)
        loss.backward()
        opt.step()

    if "sft" in parts:
        for label, fn in (("sft_step_ours", ours_sft), ("sft_step_plain_transformers", plain_sft)):
            peak_reset()
            seconds = timed(fn, 2, repeats)
            emit({**common, "measure": label, "step_s": round(seconds, 4), "tokens_per_s": round(tokens / seconds), "peak_gib": peak_gib()})
        # Gradient checkpointing: memory for time.
        lm.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        peak_reset()
        seconds = timed(ours_sft, 1, repeats)
        emit({**common, "measure": "sft_step_ours_grad_checkpointing", "step_s": round(seconds, 4), "tokens_per_s": round(tokens / seconds),
              "peak_gib": peak_gib()})
        lm.gradient_checkpointing_disable()
    del opt

    # PPO update, ours: actor (clipped surrogate on the response tokens) + critic (clipped value loss).
    critic = HfCritic(build().model.to(device), lm.config.hidden_size).to(device)
    actor_opt = torch.optim.AdamW(policy.parameters(), lr=1e-6)
    critic_opt = torch.optim.AdamW(critic.parameters(), lr=1e-5)
    info = data["weights"]
    old_logp = torch.zeros_like(info) - 3.0
    adv = torch.randn_like(info)
    returns, old_values = torch.randn_like(info), torch.zeros_like(info)

    def ours_ppo() -> None:
        actor_opt.zero_grad(set_to_none=True)
        critic_opt.zero_grad(set_to_none=True)
        with amp:
            hidden, _ = policy.trunk(data["input_ids"], data["attention_mask"], data["position_ids"])
            keep = info > 0
            logp = torch.zeros_like(info)
            logp[keep] = token_logprobs(policy.project(hidden[keep]).float(), data["labels"][keep])
            pg, _ = policy_loss(logp, old_logp, adv, info, 0.2)
            values = critic(data["input_ids"], data["attention_mask"], data["position_ids"])
            vloss = value_loss(values, old_values, returns, info, 0.5)
        (pg + vloss).backward()
        actor_opt.step()
        critic_opt.step()

    def plain_ppo() -> None:
        actor_opt.zero_grad(set_to_none=True)
        critic_opt.zero_grad(set_to_none=True)
        with amp:
            logits = lm(input_ids=data["input_ids"], attention_mask=data["attention_mask"]).logits.float()
            logp = torch.log_softmax(logits, -1).gather(-1, data["labels"][..., None]).squeeze(-1)
            pg, _ = policy_loss(logp, old_logp, adv, info, 0.2)
            hidden = critic.body(input_ids=data["input_ids"], attention_mask=data["attention_mask"])[0]
            vloss = value_loss(critic.value_head(hidden).squeeze(-1).float(), old_values, returns, info, 0.5)
        (pg + vloss).backward()
        actor_opt.step()
        critic_opt.step()

    for label, fn in (("ppo_update_ours", ours_ppo), ("ppo_update_plain_transformers", plain_ppo)) if "ppo" in parts else ():
        peak_reset()
        seconds = timed(fn, 2, repeats)
        emit({**common, "measure": label, "step_s": round(seconds, 4), "tokens_per_s": round(tokens / seconds), "peak_gib": peak_gib()})
    del critic, actor_opt, critic_opt

    # Rollout generation: our KV-cache loop (with its per-token stop check) vs model.generate.
    policy.eval()
    prompt_len = min(256, length)
    contexts = torch.randint(0, vocab, (b, prompt_len)).tolist()
    never = StopRule(lambda ids: "", ["</search>"], -1)

    def ours_generate() -> None:
        with amp:
            generate_turns(policy, contexts, [new_tokens] * b, never, 0, temperature=1.0)

    prompt = torch.tensor(contexts, device=device)

    def plain_generate() -> None:
        with amp, torch.no_grad():
            lm.generate(prompt, attention_mask=torch.ones_like(prompt), max_new_tokens=new_tokens, min_new_tokens=new_tokens,
                        do_sample=True, temperature=1.0, top_p=1.0, top_k=0, pad_token_id=0)

    for label, fn in (("generate_ours", ours_generate), ("generate_plain_transformers", plain_generate)) if "generate" in parts else ():
        peak_reset()
        seconds = timed(fn, 1, max(1, repeats // 2))
        emit({**common, "measure": label, "prompt_len": prompt_len, "new_tokens": new_tokens, "step_s": round(seconds, 4),
              "new_tokens_per_s": round(b * new_tokens / seconds), "peak_gib": peak_gib()})

    if "lora" not in parts:
        return
    # LoRA SFT (adapters on every projection, r=16): what the trainer's `lora` option runs.
    lora_sft, _ = sft_step(HfPolicy(apply_lora(build().to(device), LORA, "lora")), 1e-4)

    peak_reset()
    seconds = timed(lora_sft, 2, repeats)
    emit({**common, "measure": "sft_step_ours_lora_r16", "step_s": round(seconds, 4), "tokens_per_s": round(tokens / seconds), "peak_gib": peak_gib()})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a tiny model on CPU: checks the script, measures nothing")
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated subset of {PARTS}")
    parser.add_argument("--out", default=os.path.join(os.environ.get("OUT", "."), "hf-train-bench.json"))
    args = parser.parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() and not args.quick else "cpu")
    results: list[dict] = []
    env = {"torch": torch.__version__, "gpu": torch.cuda.get_device_name(0) if device.type == "cuda" else None}
    print(json.dumps(env), flush=True)
    parts = tuple(args.parts.split(","))
    if args.quick:
        run("tiny-llama", QUICK["tiny-llama"], device, 2, 64, 8, 2, results, parts)
    else:
        for name, build in ARCHS.items():
            run(name, build, device, 8, 1024, 128, 5, results, parts)
    with open(args.out, "w") as f:
        json.dump({"env": env, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
