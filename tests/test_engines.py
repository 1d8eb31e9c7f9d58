"""The generation engines: GRPO's and evaluation's vLLM paths built from the same sampling configuration
and parsed into the same rows as the HF path (constructed and compared on CPU: vLLM cannot be installed
here, so its calls themselves never run in these tests), and a training run followed live."""

import pytest
import torch

from egt.generation.entropy import generated_token_mask
from egt.generation.judge import judge_batch, prompts_and_images
from egt.generation.sampling import BANNED_LOGIT_BIAS, Sampling
from egt.generation.vllm_engine import engine_kwargs, rows_from_token_ids, vllm_requests
from egt.judging import Judging
from egt.modeling import eos_token_ids, load_model, load_processor, vision_token_ids
from egt.training.grpo import TRL_SETS, grpo_config

GRPO_PARAMS = {
    "batch_size": 4,
    "num_samples": 2,
    "max_completion_length": 16,
    "temperature": 0.9,
    "learning_rate": 1e-5,
    "beta": 0.0,
    "steps_per_stage": 1,
    "reward_weights": {"format": 0.5, "accuracy": 1.0},
}


def grpo_job(**params):
    job = {"seed": 0, "device": "cpu", "checkpoint_dir": "unused", "save_steps": 10, "processes": 1}
    return {**job, "params": {**GRPO_PARAMS, **params}}


def test_grpo_samples_the_same_distribution_with_either_engine(tiny_model_dir):
    processor = load_processor(str(tiny_model_dir))
    banned = vision_token_ids(processor)
    hf, _ = grpo_config(grpo_job(), processor)
    vllm, _ = grpo_config(
        grpo_job(engine="vllm", vllm={"gpu_memory_utilization": 0.4, "max_model_length": 4096}), processor
    )
    assert not hf.use_vllm and hf.generation_kwargs == {"suppress_tokens": banned}
    assert vllm.use_vllm and vllm.vllm_mode == "colocate" and vllm.vllm_enable_sleep_mode
    assert vllm.vllm_gpu_memory_utilization == 0.4 and vllm.vllm_max_model_length == 4096
    # TRL builds SamplingParams from its own fields, then egt's generation_kwargs over them: the same
    # settings as the rollouts' vLLM requests, less what TRL sets per call
    expected = Sampling(16, 0.9, 1).vllm_kwargs(banned)
    assert vllm.generation_kwargs == {k: v for k, v in expected.items() if k not in TRL_SETS}
    assert vllm.generation_kwargs["logit_bias"] == dict.fromkeys(banned, BANNED_LOGIT_BIAS)
    assert "suppress_tokens" not in vllm.generation_kwargs  # vllm.SamplingParams has no such field
    for config in (hf, vllm):  # TRL's own fields agree with egt's plain sampling
        assert (config.temperature, config.top_p, config.repetition_penalty) == (0.9, 1.0, 1.0)
        assert config.max_completion_length == 16 and config.num_generations == 2


def test_vllm_judgments_are_the_hf_paths_prompts_and_rows(tiny_model_dir, tiny_pairs):
    """Greedy evaluation by vLLM: the prompts of the HF path in each order, and rows parsed from vLLM's
    token ids (the completion through its end-of-turn token) equal to the HF path's rows."""
    model, processor = load_model(str(tiny_model_dir)), load_processor(str(tiny_model_dir))
    records = tiny_pairs.head(3).to_dicts()
    greedy = Sampling(12)
    for swap in (False, True):
        prompts, kwargs = vllm_requests(processor, records, greedy, seed=0, template="egt", swap=swap)
        texts, images = prompts_and_images(processor, records, "egt", swap=swap)
        assert [p["prompt"] for p in prompts] == texts
        assert all(k["temperature"] == 0.0 and k["n"] == 1 and k["max_tokens"] == 12 for k in kwargs)
        with torch.no_grad():
            inputs = processor(text=texts, images=images, return_tensors="pt", padding=True)
            generated = model.generate(**inputs, **greedy.hf_kwargs(vision_token_ids(processor)))
        generated = generated[:, inputs["input_ids"].shape[1] :]
        eos = eos_token_ids(str(tiny_model_dir))
        mask = generated_token_mask(generated, eos)
        as_vllm_returns = [row[keep].tolist() for row, keep in zip(generated, mask, strict=True)]
        hf_rows = judge_batch(model, processor, records, greedy, "egt", swap)
        assert rows_from_token_ids(processor, records, as_vllm_returns, eos) == hf_rows


def test_the_end_of_turn_ids_are_read_without_loading_weights(tiny_model_dir, tmp_path):
    expected = load_model(str(tiny_model_dir)).generation_config.eos_token_id
    assert eos_token_ids(str(tiny_model_dir)) == ([expected] if isinstance(expected, int) else list(expected))
    judging = Judging(template="egt", pixels={"min_pixels": None, "max_pixels": 3136}, trust_remote_code=False)
    frames = [{"frames": [b"a", b"b", b"c"]}, {"frames": None}]
    engine = engine_kwargs(str(tiny_model_dir), frames, 7, judging)
    assert engine["limit_mm_per_prompt"] == {"image": 3} and engine["mm_processor_kwargs"] == {"max_pixels": 3136}


def test_report_to_tensorboard_writes_the_training_curves_under_the_run(
    tiny_model_dir, tiny_pairs, tmp_path, monkeypatch
):
    monkeypatch.setenv("TENSORBOARD_LOGGING_DIR", "")  # run_training sets it; restored after the test
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    from egt.training.launch import run_training

    job = {
        "params": {"batch_size": 2, "max_steps": 2, "learning_rate": 1e-4, "logging_steps": 1},
        "seed": 0,
        "device": "cpu",
        "checkpoint_dir": str(tmp_path / "checkpoints/sft"),
        "save_steps": 10,
        "trust_remote_code": False,
        "template": "egt",
        "processes": 1,
        "accelerate_config": None,
        "report_to": "tensorboard",
        "tensorboard_dir": str(tmp_path / "logs/tensorboard/models/sft"),
    }
    run_training("sft", tiny_pairs.head(4), str(tiny_model_dir), str(tmp_path / "sft"), job)
    events = list((tmp_path / "logs/tensorboard/models/sft").glob("events.out.tfevents.*"))
    assert events, "no TensorBoard event file where the config puts it"
    curves = EventAccumulator(str(events[0].parent)).Reload().Tags()["scalars"]
    assert "train/loss" in curves


def test_a_reporter_whose_package_is_missing_stops_before_training():
    from egt.training.launch import REPORTERS, check_reporter

    check_reporter("none")
    check_reporter("tensorboard")  # pinned in the cluster extra and envs
    REPORTERS["missing_reporter"] = "egt_no_such_package"
    try:
        with pytest.raises(RuntimeError, match="train.report_to: missing_reporter needs the egt_no_such_package"):
            check_reporter("missing_reporter")
    finally:
        del REPORTERS["missing_reporter"]
