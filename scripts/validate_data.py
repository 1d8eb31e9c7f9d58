"""Rule validate_data: quarantine malformed rows of one dataset, with a reason per row."""

from egt.data.validation import validate_pairs, validation_report
from egt.io import read_parquet, redirect_output, write_json, write_parquet
from egt.schemas import PAIR_COLUMNS, SFT_COLUMNS

redirect_output(snakemake.log[0])
path, reasoning = snakemake.input[0], snakemake.params.reasoning
pairs = read_parquet(path, SFT_COLUMNS if reasoning else PAIR_COLUMNS)
kept, quarantined = validate_pairs(pairs, reasoning=reasoning)
write_parquet(kept, snakemake.output.kept)
write_parquet(quarantined, snakemake.output.quarantine)
report = validation_report(path, pairs.height, quarantined)
write_json(report, snakemake.output.report)
print(f"validate_data: read {pairs.height} rows from {path}, kept {kept.height}, quarantined {quarantined.height}")
for reason, count in report["reasons"].items():
    print(f"  quarantined {count}: {reason}")
