import json

import torch

from rag_r1_trainer.retrieval import render_mq_json, render_sq_observation, split_mq_queries
from rag_r1_trainer.reward import em_reward, extract_answer, normalize_answer
from rag_r1_trainer.rollout import INVALID_ACTION, Episode, Rollout, parse_action
from rag_r1_trainer.tokenizer import build_tokenizer


def test_search_r1_normalization_and_last_answer() -> None:
    assert normalize_answer("The  U.S.  Army!") == "us army"
    assert normalize_answer("An apple, a day") == "apple day"
    response = "<think>x</think><answer> Paris </answer> then <answer>The Canberra.</answer>"
    assert extract_answer(response) == "The Canberra."
    assert em_reward(response, ["canberra"]) == 1.0
    assert em_reward(response, "Sydney") == 0.0
    assert em_reward("<search>q</search>", ["q"]) == 0.0


def test_mq_observation_is_python_json_indent_2_and_split_is_plain_commas() -> None:
    assert split_mq_queries(" a , b,, c,d ") == ["a", "b", "c", "d"]
    body = render_mq_json(["q1", "café"], ["Doc 1: x", "Doc 1: été"])
    assert body == json.dumps({"query": ["q1", "café"], "documents": ["Doc 1: x", "Doc 1: été"]}, indent=2)
    assert "\\u00e9" in body


def test_sq_observation_rendering() -> None:
    hits = [{"document": {"id": 1, "contents": "A   a text"}, "score": 1.0}, {"document": {"id": 2, "contents": "B   b"}, "score": 0.5}]
    assert render_sq_observation(hits) == "\n<information>\nDoc 1: A   a text\nDoc 2: B   b\n</information>\n"


def test_actions_and_invalid_turns_are_masked_as_environment_text() -> None:
    assert parse_action("<think>t</think><search> q </search>") == ("search", "q")
    assert parse_action("<answer>x</answer>") == ("answer", "x")
    assert parse_action("no tags") is None
    tok = build_tokenizer(["hello world"])

    class Cfg:
        mode, state_masking, max_obs_length = "sq", True, 100

    rollout = Rollout(tok, Cfg(), client=None)  # type: ignore[arg-type]
    episode = Episode("x", ["a"], [1])
    generated = tok.encode("hello world")
    assert rollout._act(episode, generated, final=False) is None
    assert episode.invalid == 1
    assert episode.info == [1] * len(generated) + [0] * len(tok.encode(INVALID_ACTION))
    assert rollout._act(Episode("y", ["a"], [1]), tok.encode("<search> q1 </search>"), final=False) == ["q1"]
    assert rollout._act(Episode("z", ["a"], [1]), tok.encode("<search> q1 </search>"), final=True) is None
    obs = rollout._observation([[{"document": {"contents": "w " * 300}}]], ["q"])
    assert len(obs) == 100 and tok.decode(obs).endswith("\n</information>\n")
    assert torch.tensor(obs).dtype == torch.long
