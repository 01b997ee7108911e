"""EM reward of the spec (section 5) with Search-R1 normalization (section 8)."""

from __future__ import annotations

import re
import string

ANSWER = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)
_PUNCT = set(string.punctuation)


def normalize_answer(text: str) -> str:
    """Lowercase, delete ASCII punctuation, replace a/an/the with a space, collapse whitespace."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCT)
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def extract_answer(response: str) -> str | None:
    """The last `<answer>` anywhere in `response`. Only for text the model wrote alone: an
    episode's response also holds environment text (the invalid-action correction names
    `<answer> and </answer>`), so its answer is the one its answering turn gave (`Episode.answer`)."""
    matches = ANSWER.findall(response)
    return matches[-1].strip() if matches else None


def em_reward(answer: str | None, golden: list[str] | str, format_reward: float = 0.0) -> float:
    """1 when the episode's final answer matches a gold answer after normalization; 0 without an
    answer; `format_reward` for a wrong one."""
    golds = [golden] if isinstance(golden, str) else golden
    if answer is None:
        return 0.0
    norm = normalize_answer(answer)
    if any(norm == normalize_answer(g) for g in golds):
        return 1.0
    return format_reward
