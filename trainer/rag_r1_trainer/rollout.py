"""The spec's turn loop (section 1): generate, act (search / answer / invalid), observe, repeat.

Tokens stay tokens: model-written ids are kept as sampled and environment text is encoded and
appended, with `info` = 0 on every environment-inserted token (observations and corrections).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch

from .backbone import Policy, TextCodec
from .config import RolloutFields
from .environment import parse_action, split_queries
from .generate import Generation, StopRule, generate_turns
from .retrieval import RetrievalClient, render_mq_observation, sq_observation_ids
from .reward import em_reward

@dataclass
class Episode:
    item_id: str
    golden: list[str]
    prompt: list[int]
    response: list[int] = field(default_factory=list)
    info: list[int] = field(default_factory=list)
    done: bool = False
    retrievals: int = 0
    invalid: int = 0
    reward: float = 0.0
    # What the answering turn answered (its first action); environment text is never read.
    answer: str | None = None
    text: str = ""
    # Sampling-time log-prob of each response token; NaN where the environment wrote it.
    logp: list[float] = field(default_factory=list)
    finish: str = ""

    def append(self, ids: list[int], written_by_model: bool, logp: list[float] | None = None) -> None:
        self.response += ids
        self.info += [1 if written_by_model else 0] * len(ids)
        self.logp += logp if logp is not None else [math.nan] * len(ids)

    @property
    def length(self) -> int:
        return len(self.prompt) + len(self.response)


class Rollout:
    """Runs episodes for a batch of prompts against the retrieval service."""

    def __init__(self, tokenizer: TextCodec, cfg: RolloutFields, client: RetrievalClient) -> None:
        self.tok, self.cfg, self.client = tokenizer, cfg, client
        # Environment text comes from the config (lib/agent/environment.json), never from here.
        self.env = cfg.environment
        self.stop = StopRule(tokenizer.decode, self.env.stop_sequences, tokenizer.eos_id)

    def _observation(self, queries_hits: list[list[dict]], queries: list[str]) -> list[int]:
        limit = self.cfg.max_obs_length
        if self.cfg.mode == "sq":
            return sq_observation_ids(queries_hits[0], self.env, self.tok, limit)
        return self.tok.encode(render_mq_observation(queries, queries_hits, self.env, self.tok, limit))

    def _search_all(self, requests: list[tuple[Episode, list[str]]]) -> None:
        flat = [q for _, qs in requests for q in qs]
        results = self.client.retrieve(flat) if flat else []
        at = 0
        for episode, queries in requests:
            hits = results[at : at + len(queries)]
            at += len(queries)
            episode.append(self._observation(hits, queries), written_by_model=False)
            episode.retrievals += 1

    def _act(self, episode: Episode, generated: Generation, final: bool) -> list[str] | None:
        """Applies one generated turn; returns the queries to run, if any."""
        episode.append(generated.tokens, written_by_model=True, logp=generated.logprobs)
        action = parse_action(self.tok.decode(generated.tokens), self.env)
        if action.kind == "answer":
            episode.done, episode.answer = True, action.content
            return None
        if final:
            episode.done = True
            return None
        if action.kind == "invalid":
            episode.invalid += 1
            episode.append(self.tok.encode(self.env.invalid_action_correction), written_by_model=not self.cfg.state_masking)
            return None
        return split_queries(action.content, self.cfg.mode, self.env)

    def run(self, policy: Policy, items: list[dict], generator: torch.Generator) -> list[Episode]:
        """Every turn sees the whole episode so far, at the positions PPO will score it with:
        an episode ends (`context_full`) when the context cap leaves no room to generate,
        instead of sliding a window that training could not reproduce."""
        limit = min(self.cfg.max_prompt_length, policy.max_position)
        episodes = [Episode(str(it["id"]), list(it["golden_answers"]), self._prompt_ids(it)) for it in items]
        for turn in range(self.cfg.max_turns + 1):
            for e in episodes:
                if not e.done and e.length >= limit:
                    self._end_full(e, limit)
            active = [e for e in episodes if not e.done]
            if not active:
                break
            budgets = [min(self.cfg.max_response_length, limit - e.length) for e in active]
            outputs = generate_turns(policy, [e.prompt + e.response for e in active], budgets, self.stop, self.tok.pad_id,
                                     self.cfg.temperature, self.cfg.top_p, generator)
            requests = []
            for episode, generated in zip(active, outputs):
                queries = self._act(episode, generated, final=turn == self.cfg.max_turns)
                if queries is not None:
                    requests.append((episode, queries))
            self._search_all(requests)
        for e in episodes:
            e.text = self.tok.decode(e.response, skip_special=True)
            e.reward = em_reward(e.answer, e.golden, self.cfg.format_reward)
        return episodes

    def _prompt_ids(self, item: dict) -> list[int]:
        """The chat template's prompt, keeping its first token (BOS, or the template's opening)
        and its tail when over `max_start_length`."""
        ids = self.tok.encode_chat([{"role": "user", "content": item["prompt"]}])
        if len(ids) <= self.cfg.max_start_length:
            return ids
        return [ids[0], *ids[len(ids) - self.cfg.max_start_length + 1 :]]

    @staticmethod
    def _end_full(episode: Episode, limit: int) -> None:
        """An episode with no room left ends; an observation that overflowed the cap is cut
        there. No generation follows it, so only environment tokens are dropped."""
        keep = max(0, limit - len(episode.prompt))
        episode.response, episode.info, episode.logp = episode.response[:keep], episode.info[:keep], episode.logp[:keep]
        episode.done, episode.finish = True, "context_full"


def episode_metrics(episodes: list[Episode]) -> dict[str, float]:
    n = max(1, len(episodes))
    return {
        "reward": sum(e.reward for e in episodes) / n,
        "response_length": sum(len(e.response) for e in episodes) / n,
        "generated_length": sum(sum(e.info) for e in episodes) / n,
        "retrievals": sum(e.retrievals for e in episodes) / n,
        "invalid_actions": sum(e.invalid for e in episodes) / n,
        "answered": sum(e.answer is not None for e in episodes) / n,
        "context_full": sum(e.finish == "context_full" for e in episodes) / n,
    }
