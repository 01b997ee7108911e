import json
from pathlib import Path

import pytest

from rag_r1_trainer.tokenizer import Tokenizer, build_tokenizer

FIXTURES = Path(__file__).resolve().parents[2] / "lib" / "tokenizer" / "fixtures"
VECTORS = json.loads((FIXTURES / "vectors.json").read_text())


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return Tokenizer.load(FIXTURES / "tokenizer.json")


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["text"][:30])
def test_shared_vectors_match_and_round_trip(tokenizer: Tokenizer, vector: dict) -> None:
    assert tokenizer.encode(vector["text"]) == vector["ids"]
    assert tokenizer.decode(vector["ids"]) == vector["text"]


def test_tags_are_single_tokens_and_unknown_text_falls_back_to_bytes(tokenizer: Tokenizer) -> None:
    ids = tokenizer.encode("<search>Ωmega</search>")
    assert ids[0] == tokenizer.token_id("<search>") and ids[-1] == tokenizer.token_id("</search>")
    assert len(ids) == 2 + len("Ωmega".encode())
    assert tokenizer.decode(ids) == "<search>Ωmega</search>"


def test_build_is_deterministic_and_frequency_ordered() -> None:
    texts = ["b a a", "a c"]
    first, second = build_tokenizer(texts), build_tokenizer(list(reversed(texts)))
    assert first.tokens == second.tokens
    pieces = first.tokens[first.byte_offset + 256 :]
    assert pieces[0] == " " and pieces.index(" a") < pieces.index(" c")


def test_special_tokens_win_even_after_a_space(tokenizer: Tokenizer) -> None:
    ids = tokenizer.encode("x </think> <answer>")
    assert tokenizer.token_id("</think>") in ids and tokenizer.token_id("<answer>") in ids
