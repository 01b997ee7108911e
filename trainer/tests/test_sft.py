from .configs import tiny_config
from .conftest import Run, run_trainer


def test_sft_loss_falls(sft_run: Run) -> None:
    losses = [e["metrics"]["loss"] for e in sft_run.of("progress")]
    assert losses[0] > 2.0
    assert losses[-1] < 0.5 * losses[0]
    assert sft_run.of("done")[0]["step"] == sft_run.of("progress")[-1]["step"]


def _config(world, out, **extra) -> dict:
    return tiny_config(
        "sft", train_file=str(world["sft"]), tokenizer=str(world["tokenizer"]), output_dir=str(out),
        model={"kind": "tiny", "n_layer": 1, "n_head": 2, "n_embd": 32, "max_position": 256, "positions": "learned"}, seq_len=256, batch_size=4,
        grad_accum=2, lr=1e-3, warmup_steps=10, lr_schedule="constant", batching="length", max_steps=6, checkpoint_every=3,
        keep_last=3, log_batch_ids=True, seed=3, **extra,
    )


def test_resume_replays_exactly_the_same_batches_and_losses(world, tmp_path) -> None:
    full = run_trainer("sft", _config(world, tmp_path / "full"))
    assert full.code == 0, full.stderr[-2000:]
    first_ckpt = full.of("checkpoint")[0]
    assert first_ckpt["step"] == 3
    resumed = run_trainer("sft", _config(world, tmp_path / "resumed"), resume_from=first_ckpt["path"])
    assert resumed.code == 0, resumed.stderr[-2000:]
    tail = {e["step"]: e["metrics"] for e in full.of("progress") if e["step"] > 3}
    again = {e["step"]: e["metrics"] for e in resumed.of("progress")}
    assert sorted(again) == [4, 5, 6]
    for step in (4, 5, 6):
        assert again[step]["batch_ids"] == tail[step]["batch_ids"]
        assert again[step]["loss"] == tail[step]["loss"]
    # Epochs reshuffle: the order differs between epochs but is a function of (seed, epoch).
    ids_by_step = [e["metrics"]["batch_ids"] for e in full.of("progress")]
    assert len({json_key(x) for x in ids_by_step}) == len(ids_by_step)


def json_key(value) -> str:
    import json

    return json.dumps(value)


def test_length_batches_cover_each_sample_once_within_the_token_budget() -> None:
    from rag_r1_trainer.sft_data import EncodedSample, length_batches

    lengths = [(i * 37) % 300 + 5 for i in range(200)]
    samples = [EncodedSample(str(i), [1] * n, [1] * n) for i, n in enumerate(lengths)]
    order = list(reversed(range(200)))
    batches = length_batches(samples, order, tokens_per_batch=600, window=64)
    seen = sorted(i for batch in batches for row in batch for i in row)
    assert seen == list(range(200))
    assert all(max(lengths[row[0]] for row in batch) * len(batch) <= 600 for batch in batches)
    assert batches == length_batches(samples, order, tokens_per_batch=600, window=64)
    # Bucketing keeps padding small: far fewer padded tokens than one fixed-width row each.
    padded = sum(max(lengths[row[0]] for row in batch) * len(batch) for batch in batches)
    assert padded < 1.2 * sum(lengths)


def test_text_rows_train_on_every_token_and_cosine_decays_to_its_floor() -> None:
    from rag_r1_trainer.runtime import warmup_cosine
    from rag_r1_trainer.sft_data import encode_sample
    from rag_r1_trainer.tokenizer import build_tokenizer

    tok = build_tokenizer(["Canberra is the capital of Australia ."])
    sample = encode_sample(tok, {"id": "p", "text": "Canberra is the capital"}, "row 1", 64)
    assert sample.ids[0] == tok.bos_id and sample.ids[-1] == tok.eos_id
    assert sample.loss == [1] * len(sample.ids)
    factor = warmup_cosine(warmup_steps=2, total_steps=12)
    assert factor(0) == 0.5 and factor(2) == 1.0
    assert abs(factor(12) - 0.1) < 1e-9 and factor(7) < factor(3)


def test_merge_prefixes_folds_nested_steps_and_keeps_every_loss_token() -> None:
    from rag_r1_trainer.sft_data import EncodedSample, merge_prefixes

    step1 = EncodedSample("q#0", [1, 5, 6, 7], [0, 0, 1, 1])
    step2 = EncodedSample("q#1", [1, 5, 6, 7, 8, 9, 10], [0, 0, 0, 0, 0, 1, 1])
    other = EncodedSample("r#0", [1, 5, 9], [0, 0, 1])
    merged = {s.sample_id: s for s in merge_prefixes([step2, other, step1])}
    assert set(merged) == {"q#1", "r#0"}
    assert merged["q#1"].loss == [0, 0, 1, 1, 0, 1, 1]
    assert merged["r#0"].loss == [0, 0, 1]


def test_an_over_long_sample_keeps_its_prompt_and_its_rightmost_tokens() -> None:
    from rag_r1_trainer.sft_data import encode_sample
    from rag_r1_trainer.tokenizer import build_tokenizer

    words = " ".join(f"w{i}" for i in range(60))
    tok = build_tokenizer([f"Question : who ? {words} <answer> Canberra </answer>"])
    messages = [{"role": "user", "content": "Question : who ?"}]
    row = {"id": "s", "messages": messages, "context": f"<information> {words} </information>", "target": "<answer> Canberra </answer>"}
    prompt = tok.encode_chat(messages)
    full = encode_sample(tok, row, "row 1", 1000)
    cut = encode_sample(tok, row, "row 1", len(prompt) + 12)
    assert len(cut.ids) == len(prompt) + 12 and cut.ids[0] == tok.bos_id
    assert cut.ids[: len(prompt)] == prompt and cut.ids[len(prompt) :] == full.ids[-12:]
    assert cut.loss[-12:] == full.loss[-12:] and sum(cut.loss) == sum(full.loss)
