"""Reading a generated turn (spec section 1, turn loop): the trainer's side of lib/agent/parser.ts.

The text constants come from the config's `environment` (lib/agent/environment.json); the rules
are the TypeScript ones, checked on both sides against lib/agent/fixtures/environment-conformance.json
(tests/test_environment.py and lib/agent/environment-conformance.test.ts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .config import Environment

ACTION = re.compile(r"<(search|answer)>(.*?)</\1>", re.DOTALL)


@dataclass(frozen=True)
class Action:
    kind: Literal["search", "answer", "invalid"]
    content: str = ""
    # Why a turn is invalid: no well-formed action, or a search with nothing but separators in it.
    reason: Literal["no-action", "empty-search"] | None = None


def truncate_at_action(text: str, env: Environment) -> str:
    """Up to and including the first `</search>`, else the first `</answer>`, else all of it."""
    for tag in env.stop_sequences:
        at = text.find(tag)
        if at >= 0:
            return text[: at + len(tag)]
    return text


def parse_action(text: str, env: Environment) -> Action:
    """The first `<search>X</search>` or `<answer>X</answer>` of the truncated turn, X stripped.
    A search with only whitespace and separators is invalid (`empty-search`): no retrieval,
    and the correction is appended as for a turn with no action."""
    match = ACTION.search(truncate_at_action(text, env))
    if match is None:
        return Action("invalid", reason="no-action")
    kind, content = match.group(1), match.group(2).strip()
    if kind == "search" and not content.replace(env.query_separator, "").strip():
        return Action("invalid", reason="empty-search")
    return Action("search" if kind == "search" else "answer", content)


def split_queries(content: str, mode: str, env: Environment) -> list[str]:
    """sq: the whole search text. mq: the plain split on every separator, no quoting, no cap."""
    if mode == "sq":
        return [content.strip()]
    return [q.strip() for q in content.split(env.query_separator) if q.strip()]

