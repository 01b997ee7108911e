"""PPO: kill-and-resume continuity, and a real reward gain over the SFT checkpoint."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from .configs import rollout_fields, tiny_config
from .conftest import TRAINER_DIR, parse_events, run_trainer
from .world import ENVIRONMENT

ROLLOUT = rollout_fields(mode="sq", topk=3, max_turns=2, max_response_length=40, max_obs_length=200, max_prompt_length=400,
                         max_start_length=64, temperature=1.0, top_p=1.0, format_reward=0.0, state_masking=True,
                         environment=ENVIRONMENT)
# The regime these tests were calibrated on: larger steps than the tiny recipe's, 2 PPO epochs.
PPO = {"algorithm": "ppo", "group_size": 1, "actor_lr": 3e-4, "critic_lr": 1e-3, "actor_warmup_ratio": 0.0, "critic_warmup_ratio": 0.0,
       "ppo_epochs": 2, "total_steps": 20, "checkpoint_every": 5, "keep_last": 3, "threads": 1}


def _ppo_config(world, url, ckpt, out, **extra) -> dict:
    return tiny_config("ppo", **{"train_file": str(world["ppo"]), "policy_checkpoint": ckpt, "retriever_url": url, "output_dir": str(out),
                                 **ROLLOUT, **PPO, "batch_size": 16, "mini_batch_size": 8, "micro_batch_size": 16, "seed": 5, **extra})


def _probe(world, url, ckpt, out: Path) -> float:
    cfg = {"checkpoint": ckpt, "data_file": str(world["ppo"]), "retriever_url": url, **ROLLOUT, "repeats": 2, "seed": 11,
           "output_file": str(out)}
    run = run_trainer("probe", cfg)
    assert run.code == 0, run.stderr[-3000:]
    return run.of("done")[0]["metrics"]["reward"]


def test_killed_ppo_resumes_from_its_last_checkpoint(world, retriever_url, sft_checkpoint, tmp_path) -> None:
    cfg = _ppo_config(world, retriever_url, sft_checkpoint, tmp_path / "run", total_steps=5, checkpoint_every=2, ppo_epochs=1)
    cmd = [sys.executable, "-m", "rag_r1_trainer", "ppo", "--config", json.dumps(cfg)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=TRAINER_DIR)
    seen: list[dict] = []
    try:
        for line in proc.stdout:
            event = json.loads(line)
            seen.append(event)
            if event["event"] == "checkpoint":
                os.kill(proc.pid, signal.SIGKILL)
                break
    finally:
        proc.kill()
        proc.wait()
    checkpoint = [e for e in seen if e["event"] == "checkpoint"][0]
    assert checkpoint["step"] == 2 and proc.returncode != 0
    assert not [e for e in seen if e["event"] == "done"]
    killed_progress = {e["step"]: e["metrics"] for e in seen if e["event"] == "progress"}

    resumed = run_trainer("ppo", cfg, resume_from=checkpoint["path"])
    assert resumed.code == 0, resumed.stderr[-3000:]
    steps = [e["step"] for e in resumed.of("progress")]
    assert steps == [3, 4, 5]
    repeated = max(killed_progress) - checkpoint["step"]
    assert repeated <= cfg["checkpoint_every"]
    assert resumed.of("done")[0]["step"] == 5
    assert [e["step"] for e in resumed.of("checkpoint")] == [4, 5]

    # The resumed run replays the data order exactly: a fresh uninterrupted run agrees on step 3.
    full = run_trainer("ppo", {**cfg, "output_dir": str(tmp_path / "full"), "total_steps": 3})
    assert full.code == 0, full.stderr[-3000:]
    original = full.of("progress")[-1]["metrics"]
    again = resumed.of("progress")[0]["metrics"]
    for key in ("reward", "response_length", "retrievals", "kl"):
        assert again[key] == original[key], key


def test_ppo_raises_reward_over_the_sft_checkpoint(world, retriever_url, sft_checkpoint, tmp_path) -> None:
    before = _probe(world, retriever_url, sft_checkpoint, tmp_path / "before.jsonl")
    cfg = _ppo_config(world, retriever_url, sft_checkpoint, tmp_path / "ppo", total_steps=12, checkpoint_every=12, batch_size=20,
                      mini_batch_size=10, micro_batch_size=20)
    run = run_trainer("ppo", cfg)
    assert run.code == 0, run.stderr[-3000:]
    metrics = [e["metrics"] for e in run.of("progress")]
    for key in ("reward", "kl", "entropy", "response_length", "retrievals", "pg_loss", "value_loss", "flat_group_share"):
        assert key in metrics[0]
    # Every step scores what it sampled: the gap is float noise, before and after updates.
    assert max(m["onpolicy_max_gap"] for m in metrics) < 1e-4
    after = _probe(world, retriever_url, run.of("checkpoint")[-1]["path"], tmp_path / "after.jsonl")
    assert after >= before + 0.2, (before, after, [round(m["reward"], 2) for m in metrics])


def test_grpo_with_mq_observations_runs_and_resumes(world, retriever_url, sft_checkpoint, tmp_path) -> None:
    cfg = _ppo_config(world, retriever_url, sft_checkpoint, tmp_path / "grpo", algorithm="grpo", group_size=4, mode="mq",
                      batch_size=4, mini_batch_size=2, micro_batch_size=8, total_steps=2, checkpoint_every=1)
    run = run_trainer("ppo", cfg)
    assert run.code == 0, run.stderr[-3000:]
    assert [e["step"] for e in run.of("progress")] == [1, 2]
    assert all(0.0 <= e["metrics"]["reward"] <= 1.0 for e in run.of("progress"))
    resumed = run_trainer("ppo", {**cfg, "total_steps": 3}, resume_from=run.of("checkpoint")[0]["path"])
    assert resumed.code == 0, resumed.stderr[-3000:]
    assert [e["step"] for e in resumed.of("progress")] == [2, 3]
    wrong = run_trainer("ppo", {**cfg, "algorithm": "ppo", "group_size": 1}, resume_from=run.of("checkpoint")[0]["path"])
    assert wrong.of("error")[0]["code"] == "CONFIG_INVALID"

    out = tmp_path / "mq.jsonl"
    probe = run_trainer("probe", {"checkpoint": sft_checkpoint, "data_file": str(world["ppo"]), "retriever_url": retriever_url, **ROLLOUT,
                                  "mode": "mq", "seed": 2, "output_file": str(out)})
    assert probe.code == 0, probe.stderr[-3000:]
    searched = [json.loads(line)["response"] for line in out.read_text().splitlines() if json.loads(line)["retrievals"] > 0]
    assert searched and all('<information>\n{\n  "query": [\n' in r for r in searched)
