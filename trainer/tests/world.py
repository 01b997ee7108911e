"""A small seeded test world in the tiny world's formats: corpus, SFT samples, PPO questions.

The task is built so that PPO has something real to learn: SFT teaches a 50/50 choice between
answering from memory and searching; on held-out countries only searching can be right.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from rag_r1_trainer.retrieval import render_sq_observation

PROMPT = "Question: {q}"
SYLLABLES = ["zor", "vel", "ka", "mir", "dun", "sa", "lo", "bre", "tan", "qui", "ros", "el", "fa", "gor", "ni", "pal"]


def _names(rng: random.Random, n: int, suffix: str, taken: set[str]) -> list[str]:
    out: list[str] = []
    while len(out) < n:
        name = ("".join(rng.choice(SYLLABLES) for _ in range(2)) + suffix).capitalize()
        if name not in taken:
            taken.add(name)
            out.append(name)
    return out


def make_world(root: Path, seed: int = 7, n_train: int = 80, n_heldout: int = 40, n_cities: int = 24) -> dict[str, Path]:
    rng = random.Random(seed)
    taken: set[str] = set()
    countries = _names(rng, n_train + n_heldout, "ia", taken)
    cities = _names(rng, n_cities, "on", taken)
    capital = {c: rng.choice(cities) for c in countries}
    corpus = [{"id": str(i), "contents": f"{c}   The capital of {c} is {capital[c]} ."} for i, c in enumerate(countries)]
    index = {row["contents"].split()[0]: row for row in corpus}
    sft: list[dict] = []
    for c in countries[:n_train]:
        messages = [{"role": "user", "content": PROMPT.format(q=f"What is the capital of {c}?")}]
        think = f"<think> I need the capital of {c} . </think>"
        sft.append({"id": f"{c}-direct", "messages": messages, "target": f"{think}<answer> {capital[c]} </answer>", "class": 1})
        step1 = f"{think}<search> capital of {c} </search>"
        others = [index[o] for o in rng.sample([x for x in countries if x != c], 2)]
        obs = render_sq_observation([index[c], *others])
        sft.append({"id": f"{c}-search", "messages": messages, "target": step1, "class": 2})
        answer = f"<think> The capital of {c} is {capital[c]} . </think><answer> {capital[c]} </answer>"
        sft.append({"id": f"{c}-read", "messages": messages, "context": step1 + obs, "target": answer, "class": 3})
    ppo = [
        {"id": c, "question": f"What is the capital of {c}?", "golden_answers": [capital[c]], "prompt": PROMPT.format(q=f"What is the capital of {c}?")}
        for c in countries[n_train:]
    ]
    paths = {"corpus": root / "corpus.jsonl", "sft": root / "sft.jsonl", "ppo": root / "ppo.jsonl"}
    for key, rows in (("corpus", corpus), ("sft", sft), ("ppo", ppo)):
        paths[key].write_text("".join(json.dumps(r) + "\n" for r in rows))
    return paths
