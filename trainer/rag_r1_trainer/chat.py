"""The chat template of the tiny policy: `<|role|>\\ncontent\\n` per message, then `<|assistant|>\\n`."""

from __future__ import annotations

from .tokenizer import Tokenizer


def render_prompt(messages: list[dict[str, str]]) -> str:
    parts = [f"<|{m['role']}|>\n{m['content']}\n" for m in messages]
    return "".join(parts) + "<|assistant|>\n"


def encode_prompt(tokenizer: Tokenizer, messages: list[dict[str, str]]) -> list[int]:
    """bos + template; the assistant's text continues right after."""
    return [tokenizer.bos_id, *tokenizer.encode(render_prompt(messages))]
