"""A small seeded test world in the tiny world's formats: corpus, SFT samples, PPO questions.

Built so that PPO has something real to learn. SFT teaches a 50/50 choice between answering
from memory (the capitals of an older "v1" world) and searching (the answer is copied from the
retrieved document, whose capital varies per sample so it cannot be recalled). The retrieval
corpus holds the current "v2" capitals, so only searching earns reward; PPO must learn to search.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from rag_r1_trainer.config import Environment
from rag_r1_trainer.retrieval import render_sq_observation

# The agent environment's text as the TypeScript stages pass it to the trainer (config `environment`).
ENVIRONMENT = json.loads((Path(__file__).resolve().parents[2] / "lib" / "agent" / "environment.json").read_text())
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


def _doc(country: str, city: str) -> dict:
    return {"document": {"id": country, "contents": f"{country}   The capital of {country} is {city} ."}, "score": 1.0}


def _sft_rows(rng: random.Random, countries: list[str], cities: list[str], old: dict[str, str]) -> list[dict]:
    rows: list[dict] = []
    for c in countries:
        messages = [{"role": "user", "content": PROMPT.format(q=f"What is the capital of {c}?")}]
        think = f"<think> I need the capital of {c} . </think>"
        rows.append({"id": f"{c}-direct", "messages": messages, "target": f"{think}<answer> {old[c]} </answer>", "class": 1})
        step1 = f"{think}<search> capital of {c} </search>"
        rows.append({"id": f"{c}-search", "messages": messages, "target": step1, "class": 2})
        city = rng.choice(cities)
        others = [_doc(o, rng.choice(cities)) for o in rng.sample([x for x in countries if x != c], 2)]
        obs = render_sq_observation([_doc(c, city), *others], Environment.model_validate(ENVIRONMENT))
        answer = f"<think> The capital of {c} is {city} . </think><answer> {city} </answer>"
        rows.append({"id": f"{c}-read", "messages": messages, "context": step1 + obs, "target": answer, "class": 3})
    return rows


def make_world(root: Path, seed: int = 7, n_countries: int = 80, n_cities: int = 24) -> dict[str, Path]:
    rng = random.Random(seed)
    taken: set[str] = set()
    countries = _names(rng, n_countries, "ia", taken)
    cities = _names(rng, n_cities, "on", taken)
    old = {c: rng.choice(cities) for c in countries}
    new = {c: rng.choice([x for x in cities if x != old[c]]) for c in countries}
    corpus = [{"id": str(i), "contents": f"{c}   The capital of {c} is {new[c]} ."} for i, c in enumerate(countries)]
    sft = _sft_rows(rng, countries, cities, old)
    ppo = [
        {"id": c, "question": f"What is the capital of {c}?", "golden_answers": [new[c]], "prompt": PROMPT.format(q=f"What is the capital of {c}?")}
        for c in countries
    ]
    paths = {"corpus": root / "corpus.jsonl", "sft": root / "sft.jsonl", "ppo": root / "ppo.jsonl"}
    for key, rows in (("corpus", corpus), ("sft", sft), ("ppo", ppo)):
        paths[key].write_text("".join(json.dumps(r) + "\n" for r in rows))
    return paths
