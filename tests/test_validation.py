"""Bad rows are quarantined with a reason; malformed files stop with the file and column named."""

import json

import polars as pl
import pytest
from conftest import REPO, snakemake

from egt.data.toyworld import generate_split
from egt.data.validation import validate_pairs
from egt.io import SchemaError, read_parquet
from egt.schemas import PAIR_COLUMNS, SFT_COLUMNS


def corrupted_pool() -> tuple[pl.DataFrame, dict[str, str]]:
    """Ten good toy pairs, then rows each broken in one way; returns the frame and id -> expected reason."""
    good, _ = generate_split("pool", 10, seed=0, image_size=28, max_ambiguity=0.5, noise=None)
    template = good.row(0, named=True)
    broken = {
        "bad-image": ({"image": b"not a png"}, "unreadable image"),
        "no-image": ({"image": None}, "missing image"),
        "label-3": ({"label": 3}, "label 3 is not 1 or 2"),
        "label-null": ({"label": None}, "label None is not 1 or 2"),
        "empty-response": ({"response_2": "   "}, "empty response_2"),
        "same-responses": ({"response_2": template["response_1"]}, "identical responses"),
        "bad-trace": ({"reasoning": "<answer>1</answer>"}, "reasoning is not in the"),
    }
    rows = [{**template, "pair_id": pair_id, **change} for pair_id, (change, _) in broken.items()]
    duplicate = {**good.row(3, named=True)}
    frame = pl.concat([good, pl.DataFrame(rows + [duplicate], schema=SFT_COLUMNS)])
    expected = {pair_id: reason for pair_id, (_, reason) in broken.items()}
    return frame, expected


def test_each_bad_row_is_quarantined_with_its_reason():
    frame, expected = corrupted_pool()
    kept, quarantined = validate_pairs(frame, reasoning=True)
    assert kept.height + quarantined.height == frame.height
    assert kept.height == 10 and kept["pair_id"].is_unique().all()
    reasons = dict(zip(quarantined["pair_id"], quarantined["reason"], strict=True))
    for pair_id, reason in expected.items():
        assert reason in reasons[pair_id], (pair_id, reasons[pair_id])
    duplicate_row = frame.height - 1
    assert quarantined.filter(pl.col("row") == duplicate_row)["reason"].item().startswith("duplicate pair_id")


def test_truncated_parquet_names_the_file(tmp_path):
    path = tmp_path / "pool.parquet"
    generate_split("pool", 5, seed=0, image_size=28, max_ambiguity=0.5, noise=None)[0].write_parquet(path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(SchemaError, match="pool.parquet: not a readable parquet file"):
        read_parquet(path, PAIR_COLUMNS)


def test_wrong_schema_names_the_file_and_column(tmp_path):
    path = tmp_path / "pool.parquet"
    frame = generate_split("pool", 5, seed=0, image_size=28, max_ambiguity=0.5, noise=None)[0]
    frame.with_columns(pl.col("label").cast(pl.String)).write_parquet(path)
    with pytest.raises(SchemaError, match=r"pool.parquet: column 'label' has type String, expected Int8"):
        read_parquet(path, PAIR_COLUMNS)
    frame.drop("question").write_parquet(path)
    with pytest.raises(SchemaError, match=r"pool.parquet: missing column 'question'"):
        read_parquet(path, PAIR_COLUMNS)


@pytest.mark.pipeline
def test_validate_rule_quarantines_and_counts(tmp_path):
    """The real rule on a corrupted pool: the run goes on, the counts add up."""
    frame, expected = corrupted_pool()
    data = tmp_path / "results/smoke/data"
    data.mkdir(parents=True)
    frame.drop("reasoning").write_parquet(data / "pool.parquet")
    snakemake(
        "results/smoke/data/pool.valid.parquet",
        "--cores",
        "1",
        "--configfile",
        str(REPO / "config/smoke.yaml"),
        workdir=tmp_path,
    )
    report = json.loads((data / "pool.validation.json").read_text())
    kept = pl.read_parquet(data / "pool.valid.parquet")
    quarantined = pl.read_parquet(data / "pool.quarantine.parquet")
    assert report["rows_in"] == frame.height == kept.height + quarantined.height
    # every broken row and the duplicate, except the bad trace: a pool has no reasoning column
    assert report["rows_quarantined"] == (len(expected) - 1) + 1
    assert "quarantined" in (tmp_path / "results/smoke/logs/data/validate_pool.log").read_text()
