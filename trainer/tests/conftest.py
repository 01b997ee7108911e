"""Shared fixtures: a generated test world, a /retrieve server over it, one SFT checkpoint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from rag_r1_trainer.build_tokenizer import iter_texts
from rag_r1_trainer.tokenizer import build_tokenizer

from .configs import tiny_config
from .retriever_server import start_server
from .world import make_world

TRAINER_DIR = Path(__file__).resolve().parents[1]
# Small enough for CI on 2 CPU cores, large enough to learn copying an answer out of Doc 1.
TEST_MODEL = {"kind": "tiny", "n_layer": 4, "n_head": 4, "n_embd": 128, "max_position": 256, "positions": "learned"}
SFT_STEPS = 160


@dataclass
class Run:
    code: int
    events: list[dict]
    stderr: str

    def of(self, kind: str) -> list[dict]:
        return [e for e in self.events if e["event"] == kind]


def parse_events(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def run_trainer(subcommand: str, config: dict, resume_from: str | None = None, env: dict | None = None, timeout: int = 600) -> Run:
    cmd = [sys.executable, "-m", "rag_r1_trainer", subcommand, "--config", json.dumps(config)]
    if resume_from:
        cmd += ["--resume-from", resume_from]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=TRAINER_DIR, env={**os.environ, **(env or {})}, timeout=timeout)
    return Run(proc.returncode, parse_events(proc.stdout), proc.stderr)


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("world")
    paths = make_world(root)
    tokenizer = build_tokenizer(iter_texts([str(paths["corpus"]), str(paths["sft"]), str(paths["ppo"])]))
    paths["tokenizer"] = root / "tokenizer.json"
    tokenizer.save(paths["tokenizer"])
    return paths


@pytest.fixture(scope="session")
def retriever_url(world: dict[str, Path]):
    server, url = start_server(world["corpus"])
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def sft_run(world: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Run:
    out = tmp_path_factory.mktemp("sft")
    config = tiny_config(
        "sft", train_file=str(world["sft"]), tokenizer=str(world["tokenizer"]), output_dir=str(out),
        model=TEST_MODEL, seq_len=256, batch_size=16, grad_accum=1, lr=2e-3, warmup_steps=20, lr_schedule="constant",
        max_steps=SFT_STEPS, checkpoint_every=80, keep_last=3, log_every=10, seed=0,
        # The PPO tests were calibrated on this SFT regime (probe reward 0.27 -> 0.60). From the
        # default length-bucketed, prefix-folded SFT at the same step count PPO did not lift the
        # probe (0.41 -> 0.40 in 20 steps); not yet understood, see the 2026-12-01 note.
        batching="packed", fold_prefixes=False,
    )
    run = run_trainer("sft", config)
    assert run.code == 0, run.stderr[-3000:]
    return run


@pytest.fixture(scope="session")
def sft_checkpoint(sft_run: Run) -> str:
    return sft_run.of("checkpoint")[-1]["path"]


# The HF backbone's fixtures: a small random Llama-architecture model (`init-hf`: its own BPE
# tokenizer and a ChatML template, since nothing can be downloaded) and a short SFT of it.
LORA = {"r": 8, "alpha": 16, "dropout": 0.0, "target_modules": ["q_proj", "v_proj", "up_proj", "down_proj"]}


@pytest.fixture(scope="session")
def hf_base(world: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hf") / "base"
    run = run_trainer("init-hf", {"texts": [str(world["corpus"]), str(world["sft"]), str(world["ppo"])], "output_dir": str(out),
                                   "vocab_size": 600, "hidden_size": 64, "layers": 2, "heads": 4, "max_position": 512})
    assert run.code == 0, run.stderr[-2000:]
    return out


def hf_sft_config(world: dict[str, Path], base: Path, out: Path, lora: dict | None, **fields) -> dict:
    config = tiny_config("sft", train_file=str(world["sft"]), output_dir=str(out), seq_len=256, batch_size=16, grad_accum=1,
                         lr=3e-3 if lora is None else 1e-2, warmup_steps=0, lr_schedule="constant", max_steps=24,
                         checkpoint_every=12, keep_last=2, log_every=1, seed=0, batching="length",
                         model={"kind": "hf", "path": str(base), "lora": lora, "gradient_checkpointing": False}, **fields)
    config.pop("tokenizer")
    return config


@pytest.fixture(scope="session")
def hf_sft_full(world, hf_base, tmp_path_factory):
    run = run_trainer("sft", hf_sft_config(world, hf_base, tmp_path_factory.mktemp("hf-sft-full"), None))
    assert run.code == 0, run.stderr[-3000:]
    return run


