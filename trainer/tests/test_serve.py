"""`serve`: a trained HF checkpoint over the OpenAI-compatible API, answering the official
OpenAI Python client exactly as the trainer's own generation would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import openai
import pytest
import torch

from rag_r1_trainer.checkpoint import load_policy
from rag_r1_trainer.generate import StopRule, generate_turns

from .conftest import TRAINER_DIR

STOPS = ["</search>", "</answer>"]
QUESTION = [{"role": "user", "content": "Question: what is the capital of Zorvel?"}]


@pytest.fixture(scope="module")
def served(hf_sft_full) -> Iterator[tuple[openai.OpenAI, str]]:
    checkpoint = hf_sft_full.of("checkpoint")[-1]["path"]
    config = {"checkpoint": checkpoint, "model_name": "policy", "port": 0, "device": "cpu", "max_batch": 8}
    proc = subprocess.Popen([sys.executable, "-m", "rag_r1_trainer", "serve", "--config", json.dumps(config)], cwd=TRAINER_DIR,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        ready = json.loads(proc.stdout.readline() or "{}")
        assert ready.get("event") == "ready", proc.stderr.read()[-2000:] if proc.poll() is not None else ready
        yield openai.OpenAI(base_url=ready["url"], api_key="none", max_retries=0), checkpoint
    finally:
        proc.kill()
        proc.wait()


def _greedy(checkpoint: str, messages: list[dict], max_tokens: int) -> str:
    policy, tok, _ = load_policy(checkpoint, "checkpoint", torch.device("cpu"))
    policy.eval()
    out = generate_turns(policy, [tok.encode_chat(messages)], [max_tokens], StopRule(tok.decode, STOPS, tok.eos_id), tok.pad_id, 0.0)
    text = tok.decode(out[0].tokens, skip_special=True)
    cut = min((text.find(s) for s in STOPS if s in text), default=len(text))
    return text[:cut]


def test_chat_completions_answer_the_openai_client_as_the_trainer_generates(served) -> None:
    client, checkpoint = served
    reply = client.chat.completions.create(model="policy", messages=QUESTION, max_tokens=24, temperature=0, stop=STOPS)
    assert reply.choices[0].message.content == _greedy(checkpoint, QUESTION, 24)
    assert reply.usage.completion_tokens > 0 and reply.choices[0].finish_reason in ("stop", "length")


def test_n_choices_and_a_stream_that_reassembles_to_the_same_text(served) -> None:
    client, _ = served
    sampled = client.chat.completions.create(model="policy", messages=QUESTION, max_tokens=16, temperature=1.0, n=3, seed=5)
    assert [c.index for c in sampled.choices] == [0, 1, 2]
    # Per-request seeds hold inside a batch: choice 1 is the request seeded with 6, alone.
    alone = client.chat.completions.create(model="policy", messages=QUESTION, max_tokens=16, temperature=1.0, seed=6)
    assert sampled.choices[1].message.content == alone.choices[0].message.content
    plain = client.chat.completions.create(model="policy", messages=QUESTION, max_tokens=16, temperature=0)
    chunks = list(client.chat.completions.create(model="policy", messages=QUESTION, max_tokens=16, temperature=0, stream=True))
    assert len(chunks) >= 2
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == plain.choices[0].message.content
    assert chunks[-1].choices[0].finish_reason == plain.choices[0].finish_reason


def test_completions_continue_a_prompt_and_unsupported_parameters_are_refused(served) -> None:
    client, _ = served
    done = client.completions.create(model="policy", prompt="<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n", max_tokens=8, temperature=0)
    assert done.choices[0].finish_reason in ("stop", "length")
    with pytest.raises(openai.BadRequestError, match="logprobs"):
        client.chat.completions.create(model="policy", messages=QUESTION, max_tokens=4, logprobs=True)
    with pytest.raises(openai.BadRequestError, match="not served"):
        client.chat.completions.create(model="gpt-4", messages=QUESTION, max_tokens=4)
