"""The Python side of the environment conformance fixture (lib/agent/fixtures/environment-conformance.json,
generated from the TypeScript implementation; lib/agent/environment-conformance.test.ts checks the
other side): PPO rollouts show the policy the same environment text as SFT data and evaluation."""

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from rag_r1_trainer.config import Environment, RolloutFields
from rag_r1_trainer.environment import parse_action, split_queries, truncate_at_action
from rag_r1_trainer.reward import em_reward
from rag_r1_trainer.rollout import Episode, Rollout
from rag_r1_trainer.tokenizer import Tokenizer

from .world import ENVIRONMENT

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGE = REPO_ROOT / "trainer" / "rag_r1_trainer"
FIXTURE = json.loads((REPO_ROOT / "lib" / "agent" / "fixtures" / "environment-conformance.json").read_text())
ENV = Environment.model_validate(ENVIRONMENT)
NO_CUT = 10**9


@pytest.fixture(scope="module")
def tok() -> Tokenizer:
    return Tokenizer.load(REPO_ROOT / FIXTURE["tokenizer"])


def _rollout(tok: Tokenizer, mode: str, max_obs_length: int = NO_CUT) -> Rollout:
    cfg = SimpleNamespace(mode=mode, state_masking=True, max_obs_length=max_obs_length, environment=ENV)
    return Rollout(tok, cfg, client=None)  # type: ignore[arg-type]


def _generated(ids: list[int]) -> SimpleNamespace:
    return SimpleNamespace(tokens=ids, logprobs=[0.0] * len(ids))


@pytest.mark.parametrize("case", FIXTURE["turns"], ids=lambda c: c["name"])
def test_turn_parsing_and_what_the_rollout_appends(case: dict, tok: Tokenizer) -> None:
    expected = case["expected"]
    assert truncate_at_action(case["text"], ENV) == expected["truncated"]
    action = parse_action(case["text"], ENV)
    assert (action.kind, action.reason) == (expected["kind"], expected["invalid_reason"])
    assert (None if action.kind == "invalid" else action.content) == expected["content"]
    if action.kind == "search":
        assert split_queries(action.content, case["mode"], ENV) == expected["queries"]

    ids = tok.encode(case["text"])
    assert tok.decode(ids) == case["text"]
    episode = Episode("x", ["done"], [1])
    assert _rollout(tok, case["mode"])._act(episode, _generated(ids), final=False) == expected["queries"]
    appended = episode.response[len(ids) :]
    assert tok.decode(appended) == (expected["correction"] or "")
    assert episode.info == [1] * len(ids) + [0] * len(appended)
    assert episode.answer == (expected["content"] if expected["kind"] == "answer" else None)


@pytest.mark.parametrize("case", FIXTURE["observations"], ids=lambda c: c["name"])
def test_observation_rendering(case: dict, tok: Tokenizer) -> None:
    limit = NO_CUT if case["max_tokens"] is None else case["max_tokens"]
    ids = _rollout(tok, case["mode"], limit)._observation(case["hits"], case["queries"])
    assert tok.decode(ids) == case["expected"]


@pytest.mark.parametrize("case", FIXTURE["answers"], ids=lambda c: c["name"])
def test_final_answer_comes_from_model_turns_only(case: dict, tok: Tokenizer) -> None:
    """Replays the segments: model turns through `Rollout._act`, which appends the correction
    itself (checked against the next segment); other environment text is appended as given."""
    rollout, episode = _rollout(tok, "sq"), Episode("x", [], [1])
    segments, pending = case["segments"], ""
    for at, segment in enumerate(segments):
        if segment["kind"] == "env":
            if pending:
                assert segment["text"] == pending
                pending = ""
            else:
                episode.append(tok.encode(segment["text"]), written_by_model=False)
            continue
        assert not episode.done
        start, ids = len(episode.response), tok.encode(segment["text"])
        rollout._act(episode, _generated(ids), final=at == len(segments) - 1)
        pending = tok.decode(episode.response[start + len(ids) :])
    assert pending == ""
    assert episode.answer == case["expected"]


@pytest.mark.parametrize("case", FIXTURE["rewards"], ids=lambda c: c["name"])
def test_em_reward(case: dict) -> None:
    assert em_reward(case["answer"], case["golden"]) == case["expected"]


def test_the_trainer_keeps_no_copy_of_the_environment_text() -> None:
    for path in PACKAGE.glob("*.py"):
        source = path.read_text()
        assert ENV.invalid_action_correction.strip()[:40] not in source, path
        assert json.dumps(ENV.information_open) not in source, path


def test_rollout_configs_require_the_environment_and_reject_unknown_keys() -> None:
    assert RolloutFields.model_fields["environment"].is_required()
    with pytest.raises(ValidationError, match="extra"):
        Environment.model_validate({**ENVIRONMENT, "extra": 1})
    with pytest.raises(ValidationError, match="query_separator"):
        Environment.model_validate({key: value for key, value in ENVIRONMENT.items() if key != "query_separator"})
