"""Using a trained reward model: the Python API, the `egt` command, a TRL reward function, serving and
the release folder with its model card (issue 21)."""

import base64
import json
import os
import subprocess
import sys

import polars as pl
import pytest
from conftest import REPO

from egt.cli import read_rows, usable
from egt.data.toyworld import generate_split
from egt.judging import judge_settings
from egt.release import card_metadata, model_card
from egt.reward_model import RewardModel, TRLReward, answer_position, combine, image_bytes, prompt_question

SMOKE_RUN = "results/smoke"


def test_the_answer_is_read_where_the_model_names_it():
    assert answer_position(["<think>", "red", "</think>", "<answer>", "2", "</answer>"]) == 4
    assert answer_position(["<think>1</think>", "<ans", "wer>", " ", "1"]) == 4  # split tag, a space between
    assert answer_position(["<think>", "I pick 1", "</think>"]) is None


def test_both_orders_are_combined_in_the_callers_numbering():
    assert combine((1, 1), (0.9, 0.7)) == (1, pytest.approx(0.8), True)
    assert combine((1, 2), (0.55, 0.3)) == (2, pytest.approx(0.425), False)  # a position habit: the probability decides
    assert combine((None, 2), (None, 0.2)) == (2, 0.2, False)
    assert combine((None, None), (None, None)) == (None, None, False)


def test_images_are_accepted_as_pil_path_bytes_or_base64(tmp_path):
    from PIL import Image

    png = generate_split("pool", 1, seed=0, image_size=28, max_ambiguity=0.5, noise=None)[0]["image"][0]
    (tmp_path / "a.png").write_bytes(png)
    assert image_bytes(png) == png and image_bytes("a.png", tmp_path) == png
    assert image_bytes(base64.b64encode(png).decode()) == png
    assert image_bytes(Image.new("RGB", (4, 4))).startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="image"):
        image_bytes("missing.png", tmp_path)


def test_unusable_rows_are_listed_with_their_reasons(tmp_path):
    png = generate_split("pool", 1, seed=0, image_size=28, max_ambiguity=0.5, noise=None)[0]["image"][0]
    (tmp_path / "img.png").write_bytes(png)
    good = {"image": "img.png", "question": "q?", "response_1": "a", "response_2": "b"}
    rows = [good, {**good, "response_2": ""}, {**good, "image": "nowhere.png"}, {**good, "id": "x", "question": 3}]
    ready, rejected = usable(rows, ("image", "question", "response_1", "response_2"), tmp_path)
    assert [r["id"] for r in ready] == ["0"] and ready[0]["image"] == png
    assert [(r["row"], r["id"]) for r in rejected] == [(1, "1"), (2, "2"), (3, "x")]
    assert "missing response_2" in rejected[0]["reason"] and "nowhere.png" in rejected[1]["reason"]
    (tmp_path / "bad.jsonl").write_text(json.dumps(good) + "\n{not json\n")
    with pytest.raises(SystemExit, match=r"bad.jsonl, line 2: not JSON"):
        read_rows(tmp_path / "bad.jsonl")


def test_the_model_card_has_the_hubs_metadata_block_and_both_protocols():
    config = {
        "run": "paper",
        "seed": 0,
        "model": {"base": "Qwen/Qwen2.5-VL-7B-Instruct"},
        "data": {"datasets": {"pool": {"repo_id": "yifanzhang114/R1-Reward-RL"}, "x": {"path": "local"}}},
        "grpo": {"learning_rate": 1e-6},
    }
    summary = {
        "evaluation": {
            "final": {
                "benchmark_mm_rlhf_rewardbench": {
                    "accuracy": 0.8,
                    "accuracy_both_orders": 0.7,
                    "position_consistency": 0.75,
                    "official": {"scorer": "mm_rlhf_rewardbench", "acc": 0.81, "acc_plus": 0.5, "groups": 46},
                }
            }
        }
    }
    card = model_card(config, summary, judge_settings("r1_reward", None, 1024), "abc123", "results/paper/reward_model")
    head = card.split("---")[1]
    assert "license: apache-2.0" in head and "base_model: Qwen/Qwen2.5-VL-7B-Instruct" in head
    assert "- yifanzhang114/R1-Reward-RL" in head and "- reward-model" in head
    assert "| benchmark_mm_rlhf_rewardbench | 0.800 | 0.700 | 0.750 | Acc 0.810, Acc+ 0.500 (46 groups) |" in card
    assert "You are a highly skilled and impartial evaluator" in card and "egt commit `abc123`" in card
    assert 'RewardModel.load("results/paper/reward_model")' in card and "learning_rate: 1.0e-06" in card
    assert "base_model" not in card_metadata({"model": {"base": "tiny"}, "data": {}})


def test_a_folder_without_settings_needs_them_given(tiny_model_dir, tmp_path):
    with pytest.raises(FileNotFoundError, match="egt_judge.json: no judging settings"):
        RewardModel.load(tiny_model_dir)
    model = RewardModel.load(tiny_model_dir, template="egt", max_new_tokens=8)
    assert model.settings["template"] == "egt" and model.sampling.max_new_tokens == 8


def test_prompt_question_reads_the_last_user_turn():
    prompt = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "What colour?"}]}]
    assert prompt_question(prompt) == "What colour?" and prompt_question("plain") == "plain"


def test_the_release_shares_only_the_weights_with_the_final_model(tmp_path):
    # A shared .snakemake_timestamp made Snakemake see the final model as updated once the release
    # was written, and rerun its evaluation (found by CI: test_second_run_does_nothing).
    from egt.release import write_release

    final = tmp_path / "model"
    final.mkdir()
    (final / "model.safetensors").write_bytes(b"weights")
    (final / "config.json").write_text("{}")
    (final / ".snakemake_timestamp").write_text("")
    (final / "egt_judge.json").write_text(json.dumps(judge_settings("egt", None, 8, 1)))
    config = {"run": "r", "model": {"base": "tiny"}, "data": {}}
    out = write_release(final, {}, config, None, tmp_path / "release")
    assert not (out / ".snakemake_timestamp").exists()
    assert (out / "model.safetensors").stat().st_ino == (final / "model.safetensors").stat().st_ino
    assert (out / "config.json").stat().st_ino != (final / "config.json").stat().st_ino
    os.utime(out / "config.json", (1, 1))
    assert (final / "config.json").stat().st_mtime != 1


# --- with the smoke run's trained model -------------------------------------------------------------


@pytest.fixture(scope="module")
def released(smoke_run):
    return smoke_run / SMOKE_RUN / "reward_model"


@pytest.mark.pipeline
def test_the_release_folder_holds_the_model_its_settings_and_a_card(released, smoke_run):
    names = {p.name for p in released.iterdir()}
    assert {"model.safetensors", "config.json", "egt_judge.json", "README.md", "tokenizer.json"} <= names
    final = smoke_run / SMOKE_RUN / "grpo/stage_2/model"
    assert (released / "model.safetensors").read_bytes() == (final / "model.safetensors").read_bytes()
    settings = json.loads((released / "egt_judge.json").read_text())
    assert settings == json.loads((final / "egt_judge.json").read_text()) and settings["template"] == "egt"
    card = (released / "README.md").read_text()
    assert card.startswith("---\nlicense: apache-2.0") and "| benchmark_toy |" in card


@pytest.mark.pipeline
def test_the_api_judges_exactly_as_the_evaluation_rule_did(released, smoke_run):
    """(a) Greedy judgments through RewardModel equal the evaluation rule's, pair for pair, both orders."""
    pairs = pl.read_parquet(smoke_run / SMOKE_RUN / "data/benchmark_toy.valid.parquet")
    judged = pl.read_parquet(smoke_run / SMOKE_RUN / "evaluation/final/benchmark_toy.parquet")
    model = RewardModel.load(released)
    verdicts = model.judge_many(pairs.select("image", "question", "response_1", "response_2").to_dicts())
    text = {(r["pair_id"], r["order"]): r["text"] for r in judged.iter_rows(named=True)}
    for pair_id, verdict in zip(pairs["pair_id"], verdicts, strict=True):
        assert verdict.reasoning == text[(pair_id, "original")]
        assert verdict.reasoning_swapped == text[(pair_id, "swapped")]
        assert verdict.probability is None or 0.0 <= verdict.probability <= 1.0
    assert sum(v.probability is not None for v in verdicts) >= len(verdicts) // 2


@pytest.mark.pipeline
def test_the_command_judges_resumes_ranks_and_lists_rejected_rows(released, smoke_run, tmp_path):
    pairs = pl.read_parquet(smoke_run / SMOKE_RUN / "data/benchmark_toy.valid.parquet").head(5)
    rows = []
    for index, row in enumerate(pairs.iter_rows(named=True)):
        path = tmp_path / f"img{index}.png"
        path.write_bytes(row["image"])
        image = path.name if index % 2 else base64.b64encode(row["image"]).decode()  # a path or base64
        rows.append(
            {"id": row["pair_id"], "image": image, **{k: row[k] for k in ("question", "response_1", "response_2")}}
        )
    rows.append({"id": "broken", "image": "gone.png", "question": "q", "response_1": "a", "response_2": "b"})
    source, out = tmp_path / "pairs.jsonl", tmp_path / "out/judged.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out.parent.mkdir()
    out.write_text(json.dumps({"id": rows[0]["id"], "preferred": 1}) + "\n" + '{"id": "cut off')  # a killed run
    command = [sys.executable, "-m", "egt.cli", "judge", "--model", str(released), "--pairs", str(source)]
    result = subprocess.run([*command, "--out", str(out)], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "6 rows" in result.stderr and "1 rejected" in result.stderr and "1 already in" in result.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()[1:]]  # the cut-off line is gone
    assert [line["id"] for line in lines] == [r["id"] for r in rows[1:5]]  # the rest, once each
    assert all(line["preferred"] in (1, 2) and "reasoning_swapped" in line for line in lines)
    rejected = [json.loads(line) for line in (tmp_path / "out/judged.jsonl.rejected.jsonl").read_text().splitlines()]
    assert (
        rejected == [{"row": 5, "id": "broken", "reason": rejected[0]["reason"]}]
        and "gone.png" in rejected[0]["reason"]
    )
    items = tmp_path / "items.jsonl"
    first = rows[1]
    candidates = [first["response_1"], first["response_2"], "It is green."]
    item = {"id": "q1", "image": first["image"], "question": first["question"], "candidates": candidates}
    items.write_text(json.dumps(item) + "\n")
    rank = [sys.executable, "-m", "egt.cli", "rank", "--model", str(released), "--items", str(items)]
    result = subprocess.run([*rank, "--out", str(tmp_path / "ranked.jsonl")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    ranked = json.loads((tmp_path / "ranked.jsonl").read_text())
    assert sorted(ranked["order"]) == [0, 1, 2] and ranked["judgments"] == 6 and ranked["scheme"] == "round_robin"


@pytest.mark.pipeline
def test_judging_through_an_openai_compatible_server(smoke_run, tmp_path):
    """`egt judge --server` against the local OpenAI-compatible stand-in: egt's prompt with the image,
    both orders, answers read as egt reads them."""
    from egt.data.local_teacher import LocalTeacher, serve

    server = serve()
    try:
        pairs = pl.read_parquet(smoke_run / SMOKE_RUN / "data/benchmark_toy.valid.parquet").head(2)
        rows = [{**{k: r[k] for k in ("question", "response_1", "response_2")}, "id": r["pair_id"],
                 "image": base64.b64encode(r["image"]).decode()} for r in pairs.iter_rows(named=True)]  # fmt: skip
        source, out = tmp_path / "pairs.jsonl", tmp_path / "judged.jsonl"
        source.write_text("".join(json.dumps(r) + "\n" for r in rows))
        url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        from egt.cli import main

        assert main(["judge", "--server", url, "--pairs", str(source), "--out", str(out)]) == 0
    finally:
        server.shutdown()
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == [r["id"] for r in rows]
    assert all(line["answer_original"] in (1, 2) and line["probability"] is None for line in lines)
    sent = [r["body"] for r in LocalTeacher.requests]
    assert len(sent) == 4 and all(b["temperature"] == 0.0 for b in sent)
    text = sent[1]["messages"][0]["content"][1]["text"]
    assert rows[0]["response_2"] in text.split("Response 1:")[1].split("Response 2:")[0]  # the swapped order


@pytest.mark.pipeline
def test_a_policy_trains_with_grpo_on_the_reward_models_scores(released, smoke_run, tiny_model_dir, tmp_path):
    """TRL's GRPOTrainer with TRLReward as its reward function: a tiny policy VLM answers questions about
    toy images, and each completion is scored against a reference answer by the trained reward model."""
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    from egt.data.images import open_image
    from egt.modeling import load_model, load_processor, vision_token_ids

    pairs = pl.read_parquet(smoke_run / SMOKE_RUN / "data/benchmark_toy.valid.parquet").head(4).to_dicts()
    data = Dataset.from_list(
        [
            {
                "prompt": [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": p["question"]}]}],
                "image": open_image(p["image"]),
                "reference": p["response_2"],
            }
            for p in pairs
        ]
    )
    reward = TRLReward(released)
    calls = []

    def recorded(*args, **kwargs):
        scores = reward(*args, **kwargs)
        calls.append(scores)
        return scores

    recorded.__name__ = "egt_reward"
    policy, processor = load_model(str(tiny_model_dir)), load_processor(str(tiny_model_dir))
    config = GRPOConfig(
        output_dir=str(tmp_path / "policy"), max_steps=2, per_device_train_batch_size=4, num_generations=4,
        max_completion_length=8, learning_rate=1e-4, logging_steps=1, report_to="none", use_cpu=True,
        save_strategy="no", beta=0.0, generation_kwargs={"suppress_tokens": vision_token_ids(processor)},
    )  # fmt: skip
    trainer = GRPOTrainer(model=policy, reward_funcs=[recorded], args=config, train_dataset=data,
                          processing_class=processor)  # fmt: skip
    trainer.train()
    assert len(calls) >= 2 and all(len(c) == 4 and all(0.0 <= s <= 1.0 for s in c) for c in calls)
    logged = [h for h in trainer.state.log_history if "rewards/egt_reward/mean" in h]
    assert len(logged) == 2


def test_reliability_bins_and_the_expected_calibration_error():
    from egt.analysis.calibration import calibration_report, reliability

    ece, bins = reliability([0.05, 0.15, 0.95, 0.95], [0, 1, 1, 1], bins=10)
    assert ece == pytest.approx((1 * 0.05 + 1 * 0.85 + 2 * 0.05) / 4)
    assert [b["n"] for b in bins] == [1, 1, 0, 0, 0, 0, 0, 0, 0, 2] and bins[9]["frequency"] == 1.0
    assert reliability([1.0], [1])[1][9]["n"] == 1  # p = 1 falls in the last bin
    report = calibration_report([0.9, None, 0.2], [0.8, 0.6, 0.1], [True, True, False])
    assert report["with_probability"] == 2 and report["ideal_observer"]["ece"] is not None


@pytest.mark.pipeline
def test_the_final_models_probability_is_checked_against_the_truth(smoke_run):
    """(b) on the smoke run: the reliability of the preference probability beside the ideal observer's,
    in the summary and as a report figure."""
    run = smoke_run / SMOKE_RUN
    report = json.loads((run / "evaluation/final/benchmark_toy.calibration.json").read_text())
    assert report["pairs"] == 24 and 0 <= report["model"]["ece"] <= 1
    assert sum(b["n"] for b in report["ideal_observer"]["bins"]) == 24
    summary = json.loads((run / "summary.json").read_text())
    assert summary["toy_world"]["calibration"]["model"]["ece"] == report["model"]["ece"]
    assert "expected calibration error" in (run / "summary.md").read_text()
    assert (run / "report/calibration.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_candidate_sets_name_the_true_colour_once_among_distinct_answers():
    from egt.analysis.best_of_n import best_of_n_report
    from egt.data.toyworld import generate_candidate_sets
    from egt.reward_model import round_robin_order

    items = generate_candidate_sets(40, 4, seed=3, image_size=56, max_ambiguity=0.05, color_jitter=0.0)
    assert items == generate_candidate_sets(40, 4, seed=3, image_size=56, max_ambiguity=0.05, color_jitter=0.0)
    assert all(len(set(item["candidates"])) == 4 for item in items)
    assert {item["correct"] for item in items} == {0, 1, 2, 3}  # the right answer's place is shuffled
    for item in items:
        wins = item["ideal_wins"]
        assert all(wins[i][j] + wins[j][i] == pytest.approx(1.0) for i in range(4) for j in range(4) if i != j)
    # nearly pure colours: the ideal observer always finds the right answer
    assert all(round_robin_order(item["ideal_wins"])[0] == item["correct"] for item in items)
    report = best_of_n_report([[item["correct"]] for item in items], items, judgments=480)
    assert report["model"]["top1"] == 1.0 and report["random"]["top1"] == 0.25
    assert report["model"]["top1_interval"][0] > 0.9 and report["model"]["top1_interval"][1] == 1.0
    wrong = best_of_n_report([[(item["correct"] + 1) % 4, item["correct"]] for item in items], items, 480)
    assert wrong["model"]["top1"] == 0.0 and wrong["model"]["mean_rank_of_right"] == 2.0
    with pytest.raises(ValueError, match="2 to 6 candidates"):
        generate_candidate_sets(1, 7, seed=0, image_size=56, max_ambiguity=0.1)


def test_round_robin_orders_by_summed_win_probability():
    from egt.reward_model import round_robin_order

    assert round_robin_order([[None, 0.9, 0.6], [0.1, None, 0.2], [0.4, 0.8, None]]) == [0, 2, 1]
    assert round_robin_order([[None, 0.5], [0.5, None]]) == [0, 1]  # a tie keeps the lower index first


@pytest.mark.pipeline
def test_best_of_n_is_measured_against_a_random_pick_and_the_ideal_observer(smoke_run):
    """(c) on the smoke run: round-robin rankings of toy candidate answers, in the summary and report."""
    run = smoke_run / SMOKE_RUN
    report = json.loads((run / "evaluation/final/best_of_n.json").read_text())
    assert report["items"] == 4 and report["candidates"] == 3 and report["judgments"] == 4 * 3 * 2
    assert 0 <= report["model"]["top1"] <= 1 and report["random"]["top1"] == pytest.approx(1 / 3)
    summary = json.loads((run / "summary.json").read_text())
    assert summary["toy_world"]["best_of_n"] == report
    assert "Best of 3 on 4 toy questions" in (run / "summary.md").read_text()
    assert (run / "report/best_of_n.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
