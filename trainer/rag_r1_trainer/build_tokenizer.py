"""`build-tokenizer`: learn the word vocabulary from corpus and sample jsonl files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from . import events
from .config import TokenizerConfig
from .errors import data_error
from .sft_data import read_jsonl
from .tokenizer import build_tokenizer


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)


def iter_texts(paths: list[str]) -> Iterator[str]:
    """Every string value of every row (corpus `contents`, questions, SFT messages and targets)."""
    for path in paths:
        for _, row in read_jsonl(path, "config field 'inputs'"):
            yield from _strings({k: v for k, v in row.items() if k not in ("id", "class", "metadata")})


def run_build_tokenizer(cfg: TokenizerConfig) -> None:
    texts = list(iter_texts(cfg.inputs))
    if not texts:
        raise data_error("config field 'inputs': no text found")
    tokenizer = build_tokenizer(texts, cfg.max_vocab, cfg.min_count)
    Path(cfg.output).parent.mkdir(parents=True, exist_ok=True)
    tokenizer.save(cfg.output)
    total = sum(tokenizer.count_tokens(t) for t in texts)
    events.done(path=cfg.output, vocab_size=tokenizer.vocab_size, texts=len(texts), tokens=total)
