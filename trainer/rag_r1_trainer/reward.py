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
    """The last `<answer>` of the response (never the prompt's example)."""
    matches = ANSWER.findall(response)
    return matches[-1].strip() if matches else None


def em_reward(response: str, golden: list[str] | str, format_reward: float = 0.0) -> float:
    golds = [golden] if isinstance(golden, str) else golden
    answer = extract_answer(response)
    if answer is None:
        return 0.0
    norm = normalize_answer(answer)
    if any(norm == normalize_answer(g) for g in golds):
        return 1.0
    return format_reward
