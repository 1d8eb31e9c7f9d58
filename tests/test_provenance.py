"""Content fingerprints and resumable work folders: reuse only what was made from the same inputs."""

import json
import os

import polars as pl
import pytest

from egt.provenance.fingerprint import claim_folder, fingerprint, frame_digest, path_digest
from egt.training.checkpoints import job_fingerprint
from egt.training.trainer_args import derive_batch

JOB = {"params": {"learning_rate": 1e-3}, "seed": 0, "device": "cpu", "processes": 1, "checkpoint_dir": "x"}


def test_same_size_data_that_differs_gets_another_fingerprint(tmp_path):
    pairs = pl.DataFrame({"pair_id": ["a", "b"], "label": [1, 2]}, schema={"pair_id": pl.String, "label": pl.Int8})
    relabelled = pairs.with_columns(pl.Series("label", [2, 2], dtype=pl.Int8))
    model = tmp_path / "model"
    model.mkdir()
    (model / "model.safetensors").write_bytes(b"\x00" * 64)
    first = job_fingerprint(JOB, model, pairs)
    assert first == job_fingerprint(JOB, model, pairs.clone())
    assert first != job_fingerprint(JOB, model, relabelled)  # same row count, another label
    (model / "model.safetensors").write_bytes(b"\x01" * 64)  # same size, other weights
    second = job_fingerprint(JOB, model, pairs)
    assert second != first
    os.utime(model / "model.safetensors", (1, 1))  # a copy with new mtimes is the same model
    assert job_fingerprint(JOB, model, pairs) == second
    # where the checkpoints go is not part of what they were made from
    assert job_fingerprint({**JOB, "checkpoint_dir": "elsewhere"}, model, pairs) == second


def test_digests_of_files_folders_and_hub_ids(tmp_path):
    (tmp_path / "a.bin").write_bytes(b"abc")
    assert path_digest(tmp_path / "a.bin") == "3:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert set(path_digest(tmp_path)) == {"a.bin"}
    assert path_digest("Qwen/Qwen2.5-VL-7B-Instruct") == "id:Qwen/Qwen2.5-VL-7B-Instruct"
    frame = pl.DataFrame({"x": [1, 2]})
    assert frame_digest(frame) != frame_digest(frame.reverse()) != frame_digest(frame.cast({"x": pl.Int32}))
    assert fingerprint(a=1, b=[2]) == fingerprint(b=[2], a=1)


def test_work_of_other_inputs_is_discarded(tmp_path):
    folder = tmp_path / "checkpoints"
    assert claim_folder(folder, "digest-1") is False
    (folder / "checkpoint-10").mkdir()
    assert claim_folder(folder, "digest-1") is True and (folder / "checkpoint-10").is_dir()
    assert claim_folder(folder, "digest-2") is False  # other parameters, data or model
    assert not (folder / "checkpoint-10").exists()
    assert json.loads((folder / "fingerprint.json").read_text()) == "digest-2"
    (folder / "fingerprint.json").unlink()  # work without a fingerprint is never trusted
    (folder / "checkpoint-20").mkdir()
    assert claim_folder(folder, "digest-2") is False and not (folder / "checkpoint-20").exists()


@pytest.mark.parametrize(
    ("global_size", "processes", "cap", "expected"),
    [(16, 1, None, (16, 1)), (64, 8, 4, (4, 2)), (64, 8, None, (8, 1)), (32, 1, 5, (4, 8)), (12, 2, 4, (3, 2))],
)
def test_global_batch_splits_over_processes_and_accumulation(global_size, processes, cap, expected):
    batch = derive_batch(global_size, processes, cap)
    assert (batch.per_device, batch.accumulation) == expected
    assert batch.processes * batch.per_device * batch.accumulation == global_size
    assert "global batch" in batch.describe()


def test_a_global_batch_that_does_not_split_is_refused():
    with pytest.raises(ValueError, match="does not split over 3 processes"):
        derive_batch(16, 3)
