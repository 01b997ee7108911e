"""Bad input fails fast with a protocol error naming what is wrong."""

import json

from .configs import tiny_config
from .conftest import run_trainer
from .world import ENVIRONMENT


def _error(run) -> dict:
    assert run.code != 0
    errors = run.of("error")
    assert len(errors) == 1, run.stderr[-2000:]
    return errors[0]


def _sft(world, tmp_path, **fields) -> dict:
    return tiny_config("sft", **{"train_file": str(world["sft"]), "tokenizer": str(world["tokenizer"]), "output_dir": str(tmp_path / "o"), **fields})


def test_missing_checkpoint(world, tmp_path) -> None:
    cfg = tiny_config("ppo", train_file=str(world["ppo"]), policy_checkpoint=str(tmp_path / "nope"),
                      retriever_url="http://127.0.0.1:9/retrieve", output_dir=str(tmp_path / "out"), batch_size=4, mini_batch_size=4,
                      environment=ENVIRONMENT)
    err = _error(run_trainer("ppo", cfg))
    assert err["code"] == "CHECKPOINT_INVALID"
    assert "policy_checkpoint" in err["message"] and "nope" in err["message"]
    err = _error(run_trainer("export-onnx", {"checkpoint": str(tmp_path / "gone"), "output_dir": str(tmp_path)}))
    assert err["code"] == "CHECKPOINT_INVALID" and "gone" in err["message"]


def test_resume_from_a_folder_without_trainer_state(world, tmp_path) -> None:
    err = _error(run_trainer("sft", _sft(world, tmp_path, max_steps=1), resume_from=str(tmp_path)))
    assert err["code"] == "CHECKPOINT_INVALID" and "resume-from" in err["message"]


def test_dataset_with_no_samples(world, tmp_path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    err = _error(run_trainer("sft", _sft(world, tmp_path, train_file=str(empty))))
    assert err["code"] == "DATA_INVALID" and "empty.jsonl" in err["message"] and "no samples" in err["message"]


def test_bad_sample_names_file_line_and_field(world, tmp_path) -> None:
    bad = tmp_path / "bad.jsonl"
    good = json.loads(world["sft"].read_text().splitlines()[0])
    bad.write_text(json.dumps(good) + "\n" + json.dumps({**good, "target": 5}) + "\n")
    err = _error(run_trainer("sft", _sft(world, tmp_path, train_file=str(bad))))
    assert err["code"] == "DATA_INVALID" and "bad.jsonl:2" in err["message"] and "'target'" in err["message"]


def test_cuda_requested_without_a_gpu(world, tmp_path) -> None:
    err = _error(run_trainer("sft", _sft(world, tmp_path, device="cuda"), env={"CUDA_VISIBLE_DEVICES": ""}))
    assert err["code"] == "DEVICE_UNAVAILABLE" and "cuda" in err["message"]


def test_config_errors_name_the_field(world, tmp_path) -> None:
    base = _sft(world, tmp_path)
    err = _error(run_trainer("sft", {**base, "learning_rate": 1}))
    assert err["code"] == "CONFIG_INVALID" and "learning_rate" in err["message"]
    err = _error(run_trainer("sft", {**base, "batch_size": 0}))
    assert "batch_size" in err["message"]
    err = _error(run_trainer("sft", {**base, "preset": "tiny"}))
    assert "preset" in err["message"] and "not permitted" in err["message"]
    missing = {k: v for k, v in base.items() if k != "warmup_steps"}
    err = _error(run_trainer("sft", missing))
    assert err["code"] == "CONFIG_INVALID" and "warmup_steps" in err["message"]
