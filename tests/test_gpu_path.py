"""What a first GPU run of the paper config would hit, each piece checked on the CPU (issue 19).

A Hub-layout replica of the base model loads as the real one would; sampling ignores the
checkpoint's chat-decoding defaults; entropy scoring runs in bounded passes; images have a budget;
vLLM requests have their own seeds and banned vision tokens; checkpoints resume only when complete
and only under the backend that wrote them; training keeps fp32 master weights where no sharded
backend does; launches keep their backend on CPU.
"""

import json

import pytest
import torch
import yaml
from conftest import REPO
from PIL import Image
from safetensors import safe_open

from egt.generation.inputs import repeat_inputs
from egt.generation.judge import prompts_and_images
from egt.generation.pairs import judge_pairs
from egt.generation.rollout import rollout_sampling
from egt.generation.sampling import BANNED_LOGIT_BIAS, Sampling, request_seeds
from egt.generation.scoring import completion_entropies
from egt.model_replica import REAL_VOCAB_SIZE, build_qwen2_5_vl_replica
from egt.modeling import load_model, load_processor, vision_token_ids
from egt.training import checkpoints
from egt.training.launch import launch_command, resolve_job
from egt.training.trainer_args import master_dtype

PUBLISHED_DECODING = {"do_sample": True, "temperature": 0.1, "top_k": 1, "top_p": 0.001, "repetition_penalty": 1.05}


def test_the_hub_layout_replica_has_the_published_files(hub_replica_dir):
    names = {p.name for p in hub_replica_dir.iterdir()}
    fixed = {
        "chat_template.json",
        "config.json",
        "generation_config.json",
        "merges.txt",
        "model.safetensors.index.json",
    }
    fixed |= {"preprocessor_config.json", "tokenizer.json", "tokenizer_config.json", "vocab.json"}
    assert fixed <= names
    shards = sorted(n for n in names - fixed)
    assert shards and all(
        n.startswith("model-0000") and n.endswith(f"-of-0000{len(shards)}.safetensors") for n in shards
    )
    config = json.loads((hub_replica_dir / "config.json").read_text())
    assert "text_config" not in config and config["transformers_version"] == "4.49.0"  # the published layout
    assert config["rope_scaling"]["type"] == "mrope" and config["torch_dtype"] == "bfloat16"
    generation = json.loads((hub_replica_dir / "generation_config.json").read_text())
    assert {k: generation[k] for k in PUBLISHED_DECODING} == PUBLISHED_DECODING


def test_a_hub_checkpoint_loads_without_torchvision(hub_replica_dir):
    """transformers' own Qwen2_5_VLProcessor builds a video processor that imports torchvision, which the
    training env lacks; egt loads every Qwen2.5-VL folder as its image-only processor, PIL backend."""
    processor = load_processor(str(hub_replica_dir))
    assert type(processor).__name__ == "ImageOnlyQwen2_5_VLProcessor"
    assert type(processor.image_processor).__name__ == "Qwen2VLImageProcessorPil"
    assert (processor.image_processor.size.shortest_edge, processor.image_processor.size.longest_edge) == (
        3136,
        12845056,
    )
    try:
        import torchvision  # noqa: F401
    except Exception:  # the CPU wheel's torchvision does not import beside torch 2.13 either
        from transformers import AutoProcessor

        with pytest.raises(ImportError, match="Torchvision"):
            AutoProcessor.from_pretrained(str(hub_replica_dir))
    # the model: legacy config and key names read, bf16 as published, weights those of the files
    model = load_model(str(hub_replica_dir))
    assert model.dtype == torch.bfloat16
    tokenizer = processor.tokenizer
    assert model.config.image_token_id == tokenizer.convert_tokens_to_ids("<|image_pad|>")
    assert set(vision_token_ids(processor)) == {
        model.config.vision_start_token_id,
        model.config.vision_end_token_id,
        model.config.image_token_id,
        model.config.video_token_id,
    }
    index = json.loads((hub_replica_dir / "model.safetensors.index.json").read_text())["weight_map"]
    with safe_open(str(hub_replica_dir / index["lm_head.weight"]), "pt") as shard:
        assert torch.equal(shard.get_tensor("lm_head.weight"), model.lm_head.weight)
    # a prompt renders with the published chat template and its image placeholders expand
    pair = {"question": "Q?", "response_1": "A", "response_2": "B", "image": _png(84, 56)}
    texts, images = prompts_and_images(processor, [pair], "egt")
    inputs = processor(text=texts, images=images, return_tensors="pt")
    image_tokens = int((inputs["input_ids"] == model.config.image_token_id).sum())
    assert image_tokens == int(inputs["image_grid_thw"].prod()) // 4 > 0


def test_trl_takes_its_training_template_for_the_published_chat_template(hub_replica_dir):
    """SFT's assistant-only loss needs TRL's training template; TRL swaps it in only for a template
    byte-identical to its Qwen2.5-VL copy (trl 1.16 chat_template_utils.py:1223), else raises."""
    from trl.chat_template_utils import get_training_chat_template

    template = get_training_chat_template(load_processor(str(hub_replica_dir)))
    assert template is not None and "{% generation %}" in template


def test_the_real_vocabulary_replica_puts_every_special_token_at_its_real_id(tmp_path):
    from egt.judging import TEMPLATES

    build_qwen2_5_vl_replica(
        tmp_path / "real", list(TEMPLATES.values()), real_vocabulary=True, sizes={"hidden_size": 32}
    )
    processor = load_processor(str(tmp_path / "real"))
    assert len(processor.tokenizer) == 151_665
    assert vision_token_ids(processor) == [151652, 151653, 151655, 151656]
    config = json.loads((tmp_path / "real" / "config.json").read_text())
    assert config["vocab_size"] == REAL_VOCAB_SIZE and config["eos_token_id"] == 151645


def _png(width, height, seed=0) -> bytes:
    import io

    import numpy as np

    pixels = (np.random.default_rng(seed).random((height, width, 3)) * 255).astype("uint8")
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def test_sampling_ignores_the_checkpoints_decoding_defaults(tiny_model_dir, tiny_pairs, tmp_path):
    """Rollouts and greedy judgments of a checkpoint whose generation_config.json carries
    Qwen2.5-VL-Instruct's published decoding defaults equal those of the same weights without them:
    entropy is computed on the plain softmax, so nothing else may shape what is sampled. (The random
    tiny model's logits are sharpened first: near-uniform ones hide a 1.05 repetition penalty.)"""
    model, processor = load_model(str(tiny_model_dir)), load_processor(str(tiny_model_dir))
    with torch.no_grad():
        model.model.language_model.norm.weight.mul_(10)  # mean token entropy ~3 nats instead of ~6
    plain, chat = tmp_path / "plain", tmp_path / "chat"
    for folder in (plain, chat):
        model.save_pretrained(folder)
        processor.save_pretrained(folder)
    generation = json.loads((chat / "generation_config.json").read_text())
    (chat / "generation_config.json").write_text(json.dumps({**generation, **PUBLISHED_DECODING}))
    published = load_model(str(chat))
    assert published.generation_config.repetition_penalty in (None, 1.0)  # only token ids kept
    for sampling in (Sampling(16, 1.0, 3), Sampling(16)):
        a = judge_pairs(load_model(str(plain)), processor, tiny_pairs, sampling, batch_size=3, seed=0, template="egt")
        b = judge_pairs(published, processor, tiny_pairs, sampling, batch_size=3, seed=0, template="egt")
        assert a.equals(b)


def test_one_sampling_configuration_for_every_engine():
    sampled, greedy = Sampling(32, 0.7, 4), Sampling(32)
    hf, vllm = sampled.hf_kwargs([5, 6]), sampled.vllm_kwargs([5, 6])
    assert hf["do_sample"] and hf["temperature"] == vllm["temperature"] == 0.7
    assert hf["num_return_sequences"] == vllm["n"] == 4 and hf["max_new_tokens"] == vllm["max_tokens"] == 32
    assert hf["top_k"] == 0 and vllm["top_k"] == -1 and hf["top_p"] == vllm["top_p"] == 1.0  # all off
    assert hf["repetition_penalty"] == vllm["repetition_penalty"] == 1.0
    assert hf["suppress_tokens"] == [5, 6] and vllm["logit_bias"] == {5: BANNED_LOGIT_BIAS, 6: BANNED_LOGIT_BIAS}
    assert "suppress_tokens" not in vllm  # vllm.SamplingParams has no such field
    assert not greedy.hf_kwargs([])["do_sample"] and greedy.vllm_kwargs([])["temperature"] == 0.0
    with pytest.raises(ValueError):
        Sampling(8, None, 2)


def test_vllm_requests_have_their_own_seeds_and_ban_vision_tokens(tiny_model_dir, tiny_pairs):
    from egt.generation.vllm_engine import VisionTokenSampled, check_no_vision_tokens, vllm_requests

    processor = load_processor(str(tiny_model_dir))
    records = tiny_pairs.to_dicts()
    params = {"num_samples": 4, "temperature": 1.0, "max_new_tokens": 8}
    prompts, kwargs = vllm_requests(processor, records, rollout_sampling(params), seed=3, template="egt")
    texts, _ = prompts_and_images(processor, records, "egt")
    assert [p["prompt"] for p in prompts] == texts  # the HF path's prompts
    seeds = sorted(k["seed"] for k in kwargs)
    # vLLM's n samples of a request use seed .. seed + n - 1: no two pairs may share a stream
    assert all(b - a >= params["num_samples"] for a, b in zip(seeds, seeds[1:], strict=False))
    assert request_seeds([r["pair_id"] for r in records[:2]], 3, 4) == [k["seed"] for k in kwargs[:2]]  # per pair
    banned = vision_token_ids(processor)
    assert all(k["logit_bias"] == dict.fromkeys(banned, BANNED_LOGIT_BIAS) for k in kwargs)
    with pytest.raises(VisionTokenSampled, match=records[1]["pair_id"]):
        check_no_vision_tokens([[[1, 2]], [[3, banned[0]]]], banned, records[:2])


def test_scoring_runs_in_bounded_passes_without_a_kv_cache(tiny_model_dir, tiny_pairs):
    """Rollout scoring at paper sizes (16 pairs x 8 samples of ~2.5k tokens in one pass) would not
    fit a GPU: passes of rollout.score_rows rows, no KV cache, the same entropies."""
    model, processor = load_model(str(tiny_model_dir)), load_processor(str(tiny_model_dir))
    rows = tiny_pairs.head(3).to_dicts()
    texts, images = prompts_and_images(processor, rows, "egt")
    inputs = processor(text=texts, images=images, return_tensors="pt", padding=True)
    torch.manual_seed(0)
    generated = model.generate(**inputs, **Sampling(10, 1.0, 4).hf_kwargs(vision_token_ids(processor)))
    generated = generated[:, inputs["input_ids"].shape[1] :]
    mask = torch.ones_like(generated, dtype=torch.bool)
    repeated = repeat_inputs(inputs, 4)
    passes = []
    hook = model.model.register_forward_pre_hook(
        lambda _, args, kwargs: passes.append((kwargs["input_ids"].shape[0], kwargs.get("use_cache"))),
        with_kwargs=True,
    )
    try:
        whole = completion_entropies(model, repeated, generated, mask, 1.0)
        chunked = completion_entropies(model, repeated, generated, mask, 1.0, rows_per_pass=5)
    finally:
        hook.remove()
    assert passes == [(12, False), (5, False), (5, False), (2, False)]
    assert torch.allclose(whole, chunked, atol=1e-5)


def test_the_image_budget_caps_a_large_image(hub_replica_dir):
    """Qwen2.5-VL's published limit lets one image cost up to 16,384 tokens; model.max_pixels caps it."""
    image = Image.open(__import__("io").BytesIO(_png(2000, 1500)))
    published = load_processor(str(hub_replica_dir)).image_processor(images=[image], return_tensors="pt")
    capped = load_processor(str(hub_replica_dir), pixels={"max_pixels": 256 * 28 * 28, "min_pixels": None})
    grid = capped.image_processor(images=[image], return_tensors="pt")["image_grid_thw"]
    assert int(published["image_grid_thw"].prod()) // 4 > 3000
    assert int(grid.prod()) // 4 <= 256


def test_config_image_budget_and_cpus_reach_the_rules(tmp_path):
    """Dry run: cluster.cpus become each job's threads (Slurm --cpus-per-task), model.max_pixels
    every processor's budget."""
    from conftest import snakemake

    override = tmp_path / "override.yaml"
    override.write_text(yaml.safe_dump({"cluster": {"cpus": {"sft": 3, "rollout": 2}}, "model": {"max_pixels": 1568}}))
    dry = snakemake("-n", "-p", "--cores", "4", "--configfile", str(REPO / "config/smoke.yaml"), str(override),
                    workdir=tmp_path)  # fmt: skip
    jobs = dry.stdout.split("\nrule ")
    assert "threads: 3" in next(j for j in jobs if j.startswith("sft:"))
    assert "threads: 2" in next(j for j in jobs if j.startswith("rollout:"))


def _checkpoint(folder, step, state=True):
    path = folder / f"checkpoint-{step}"
    path.mkdir(parents=True)
    (path / "model.safetensors").write_bytes(b"weights")
    if state is True:
        (path / checkpoints.STATE_FILE).write_text(json.dumps({"global_step": step}))
    elif state:  # a state file cut off mid-write
        (path / checkpoints.STATE_FILE).write_text(state)
    return path


def test_only_complete_checkpoints_are_resumed(tmp_path):
    _checkpoint(tmp_path, 10)
    _checkpoint(tmp_path, 20, state=False)  # killed while writing the optimizer state
    _checkpoint(tmp_path, 30, state='{"global_st')  # killed while writing trainer_state.json
    from transformers.trainer_utils import get_last_checkpoint

    assert get_last_checkpoint(str(tmp_path)).endswith("checkpoint-30")  # what the Trainer would pick
    assert checkpoints.last_complete_checkpoint(tmp_path).endswith("checkpoint-10")
    assert checkpoints.remove_incomplete(tmp_path) == ["checkpoint-20", "checkpoint-30"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint-10"]
    assert checkpoints.last_complete_checkpoint(tmp_path / "absent") is None


def test_the_backend_is_part_of_the_checkpoint_fingerprint(tiny_model_dir, tiny_pairs, tmp_path):
    job = {"params": {"learning_rate": 1.0}, "seed": 0, "processes": 8, "checkpoint_dir": "x"}
    zero3 = resolve_job({**job, "accelerate_config": "envs/accelerate/zero3.yaml"}, REPO)
    fsdp = resolve_job({**job, "accelerate_config": "envs/accelerate/fsdp.yaml"}, REPO)
    ddp = resolve_job({**job, "accelerate_config": None}, REPO)
    assert (zero3["backend"], fsdp["backend"], ddp["backend"]) == ("deepspeed", "fsdp", "ddp")
    edited = tmp_path / "zero3.yaml"
    edited.write_text((REPO / "envs/accelerate/zero3.yaml").read_text().replace("zero_stage: 3", "zero_stage: 2"))
    same_name = resolve_job({**job, "accelerate_config": str(edited)}, REPO)
    digests = {checkpoints.job_fingerprint(j, tiny_model_dir, tiny_pairs) for j in (zero3, fsdp, ddp, same_name)}
    assert len(digests) == 4
    with pytest.raises(FileNotFoundError, match="train.accelerate_config"):
        resolve_job({**job, "accelerate_config": "envs/accelerate/nothing.yaml"}, REPO)


def test_training_keeps_fp32_master_weights_unless_a_sharded_backend_does(hub_replica_dir, tiny_pairs):
    """The Hub checkpoint is bf16; trained in place or under DDP its weights load in fp32 (bf16 cannot
    hold GRPO's 1e-6 updates), under ZeRO-3/FSDP as saved (they keep fp32 masters themselves)."""
    from egt.training.sft import sft_trainer

    assert master_dtype({"backend": "deepspeed"}) == master_dtype({"backend": "fsdp"}) == "auto"
    assert master_dtype({"backend": "ddp"}) == master_dtype({"backend": "none"}) == torch.float32
    job = {
        "params": {"batch_size": 2, "max_steps": 1, "learning_rate": 1e-5},
        "seed": 0,
        "device": "cpu",
        "checkpoint_dir": "unused",
        "save_steps": 10,
        "trust_remote_code": False,
        "template": "egt",
        "processes": 1,
        "backend": "none",
    }
    trainer = sft_trainer(str(hub_replica_dir), tiny_pairs.head(2).to_dicts(), job)
    assert trainer.model.dtype == torch.float32


def test_a_backend_is_launched_as_itself_on_cpu():
    """accelerate's --cpu skips the DeepSpeed and FSDP launchers: with a config it must not be passed."""
    job = {"processes": 2, "device": "cpu", "bf16": False, "checkpoint_dir": "x"}
    with_config = launch_command(resolve_job({**job, "accelerate_config": "envs/accelerate/zero3.yaml"}, REPO), "s")
    plain = launch_command(resolve_job({**job, "accelerate_config": None}, REPO), "s")
    assert "--cpu" not in with_config and "--config_file" in with_config
    assert "--cpu" in plain and "--config_file" not in plain
