"""Retrieval over HTTP (Search-R1's `/retrieve`) and the spec's observation rendering (section 1)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

from .config import Environment
from .errors import TrainerError
from .backbone import TextCodec


class RetrievalClient:
    """One batched POST per search call; retries transport errors and 5xx, never a 4xx."""

    def __init__(self, url: str, topk: int, timeout_s: float = 30.0, retries: int = 3) -> None:
        self.url, self.topk, self.timeout_s, self.retries = url, topk, timeout_s, retries
        self.calls = 0

    def retrieve(self, queries: list[str]) -> list[list[dict[str, Any]]]:
        body = json.dumps({"queries": queries, "topk": self.topk, "return_scores": True}).encode()
        last = ""
        for attempt in range(self.retries):
            request = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                    result = json.loads(response.read())["result"]
                self.calls += 1
                if not isinstance(result, list) or len(result) != len(queries):
                    raise TrainerError("RETRIEVAL_FAILED", f"{self.url}: expected {len(queries)} result lists")
                return result
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}"
                if exc.code < 500:
                    break
            except (urllib.error.URLError, TimeoutError, ConnectionError, KeyError, json.JSONDecodeError) as exc:
                last = str(exc)
            time.sleep(0.2 * 2**attempt)
        raise TrainerError("RETRIEVAL_FAILED", f"retriever_url {self.url}: {last}")


def _contents(hit: dict[str, Any]) -> str:
    doc = hit.get("document", hit)
    return str(doc.get("contents", ""))


def docs_text(hits: list[dict[str, Any]]) -> str:
    """`Doc 1: …\nDoc 2: …` for one query's hits, with no trailing newline."""
    return "\n".join(f"Doc {i}: {_contents(h)}" for i, h in enumerate(hits, start=1))


def render_sq_observation(hits: list[dict[str, Any]], env: Environment) -> str:
    """The information tags around the Doc lines, stripped as the reference strips them."""
    return env.information_open + docs_text(hits).strip() + env.information_close


def sq_observation_ids(hits: list[dict[str, Any]], env: Environment, tok: TextCodec, max_tokens: int) -> list[int]:
    """The sq observation in tokens; over `max_tokens` it is cut so that it fits with the
    closing tag kept (spec section 1, sq observation)."""
    ids = tok.encode(render_sq_observation(hits, env))
    if len(ids) <= max_tokens:
        return ids
    close = tok.encode(env.information_close)
    return ids[: max(0, max_tokens - len(close))] + close


def render_mq_observation(
    queries: list[str], hits_per_query: list[list[dict[str, Any]]], env: Environment, tok: TextCodec, max_tokens: int
) -> str:
    """The mq observation: each query's Doc lines stripped and cut to `max_tokens` on their
    own, then the Python-json body between the information tags (spec section 1, mq)."""
    documents = [tok.decode(tok.encode(docs_text(hits).strip())[:max_tokens]) for hits in hits_per_query]
    return env.information_open + render_mq_json(queries, documents) + env.information_close


def render_mq_json(queries: list[str], documents: list[str]) -> str:
    """Python `json.dumps(indent=2)`: the spec's byte-exact mq body (non-ASCII escaped)."""
    return json.dumps({"query": queries, "documents": documents}, indent=2)
