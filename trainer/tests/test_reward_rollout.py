import json
from types import SimpleNamespace

import torch

from rag_r1_trainer.config import Environment
from rag_r1_trainer.environment import Action, split_queries
from rag_r1_trainer.retrieval import render_mq_json, render_sq_observation
from rag_r1_trainer.reward import em_reward, extract_answer, normalize_answer
from rag_r1_trainer.rollout import Episode, Rollout, parse_action
from rag_r1_trainer.tokenizer import build_tokenizer

from .world import ENVIRONMENT

ENV = Environment.model_validate(ENVIRONMENT)


def test_search_r1_normalization_and_em_on_the_final_answer() -> None:
    assert normalize_answer("The  U.S.  Army!") == "us army"
    assert normalize_answer("An apple, a day") == "apple day"
    assert extract_answer("<think>x</think><answer> Paris </answer> then <answer>The Canberra.</answer>") == "The Canberra."
    assert em_reward("The Canberra.", ["canberra"]) == 1.0
    assert em_reward("The Canberra.", "Sydney") == 0.0
    assert em_reward(None, ["q"]) == 0.0
    assert em_reward("Sydney", ["Canberra"], format_reward=0.1) == 0.1


def test_mq_observation_is_python_json_indent_2_and_split_is_plain_commas() -> None:
    assert split_queries(" a , b,, c,d ", "mq", ENV) == ["a", "b", "c", "d"]
    assert split_queries(" a , b ", "sq", ENV) == ["a , b"]
    body = render_mq_json(["q1", "café"], ["Doc 1: x", "Doc 1: été"])
    assert body == json.dumps({"query": ["q1", "café"], "documents": ["Doc 1: x", "Doc 1: été"]}, indent=2)
    assert "\\u00e9" in body


def test_sq_observation_rendering() -> None:
    hits = [{"document": {"id": 1, "contents": "A   a text"}, "score": 1.0}, {"document": {"id": 2, "contents": "B   b"}, "score": 0.5}]
    assert render_sq_observation(hits, ENV) == "\n<information>\nDoc 1: A   a text\nDoc 2: B   b\n</information>\n"


def _generated(ids: list[int]) -> SimpleNamespace:
    return SimpleNamespace(tokens=ids, logprobs=[0.0] * len(ids))


def test_actions_and_invalid_turns_are_masked_as_environment_text() -> None:
    assert parse_action("<think>t</think><search> q </search>", ENV) == Action("search", "q")
    assert parse_action("<answer>x</answer>", ENV) == Action("answer", "x")
    assert parse_action("no tags", ENV) == Action("invalid", reason="no-action")
    assert parse_action("<search> , </search>", ENV) == Action("invalid", reason="empty-search")
    tok = build_tokenizer(["hello world"])
    cfg = SimpleNamespace(mode="sq", state_masking=True, max_obs_length=100, environment=ENV)
    rollout = Rollout(tok, cfg, client=None)  # type: ignore[arg-type]
    episode = Episode("x", ["a"], [1])
    generated = tok.encode("hello world")
    assert rollout._act(episode, _generated(generated), final=False) is None
    assert episode.invalid == 1 and episode.answer is None
    assert episode.info == [1] * len(generated) + [0] * len(tok.encode(ENV.invalid_action_correction))
    assert rollout._act(Episode("y", ["a"], [1]), _generated(tok.encode("<search> q1 </search>")), final=False) == ["q1"]
    assert rollout._act(Episode("z", ["a"], [1]), _generated(tok.encode("<search> q1 </search>")), final=True) is None
    answered = Episode("w", ["a"], [1])
    assert rollout._act(answered, _generated(tok.encode("<answer> a </answer>")), final=False) is None
    assert answered.done and answered.answer == "a"
    obs = rollout._observation([[{"document": {"contents": "w " * 300}}]], ["q"])
    assert len(obs) == 100 and tok.decode(obs).endswith("\n</information>\n")
    assert torch.tensor(obs).dtype == torch.long
