"""Regenerates lib/tokenizer/fixtures (tokenizer.json + vectors.json) shared with the TS port.

Run from the repo root: `.data/venv/trainer/bin/python trainer/tests/make_tokenizer_vectors.py && npx prettier --write lib/tokenizer/fixtures`.
"""

from __future__ import annotations

import json
from pathlib import Path

from rag_r1_trainer.tokenizer import build_tokenizer

FIXTURES = Path(__file__).resolve().parents[2] / "lib" / "tokenizer" / "fixtures"
TRAIN_TEXTS = [
    "Canberra   Canberra is the capital of Australia .",
    "<think> I need the capital of Australia . </think><search> capital of Australia </search>",
    "The Eiffel Tower is in Paris, France. It opened in 1889!",
    "Question: Who wrote Hamlet?\n<answer> William Shakespeare </answer>",
    '"Doc 1: \\"Canberra\\"\\nCanberra is the capital of Australia."',
]
VECTOR_TEXTS = [
    "",
    "Canberra is the capital of Australia.",
    "<|bos|><|user|>\nQuestion: Who wrote Hamlet?\n<|assistant|>\n<think> hmm </think><answer> Shakespeare </answer><|eos|>",
    "\n<information>\nDoc 1: Canberra   Canberra is the capital ...\nDoc 2: x\n</information>\n",
    '{\n  "query": [\n    "capital of Australia"\n  ],\n  "documents": [\n    "Doc 1: \\u00e9t\\u00e9"\n  ]\n}',
    "Unknown words: Zyxwv qwerty 12345 and tabs\tand\r\nCRLF   spaces",
    "Non-ASCII: café naïve 東京 emoji 🎉 and combining é.",
    "trailing space ",
    "<think> a </think> <search> b </search>\n<answer> c </answer>",
    "  leading spaces and <think><think> double tags </search",
    '"Doc 1: \\"Canberra\\"\\nCanberra is in \\t Australia \\\\ \\/ x\\q"',
]


def main() -> None:
    tokenizer = build_tokenizer(TRAIN_TEXTS, max_vocab=400)
    FIXTURES.mkdir(parents=True, exist_ok=True)
    tokenizer.save(FIXTURES / "tokenizer.json")
    vectors = [{"text": t, "ids": tokenizer.encode(t)} for t in VECTOR_TEXTS]
    (FIXTURES / "vectors.json").write_text(json.dumps(vectors, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
