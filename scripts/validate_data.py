"""Rule validate_data: quarantine malformed rows of one dataset, with a reason per row."""

import pyarrow.parquet as pq

from egt.data.usability import check_usable
from egt.data.validation import validate_file, validation_report
from egt.io import check_file_schema, redirect_output, write_json, write_parquet
from egt.schemas import PAIR_COLUMNS, SFT_COLUMNS

redirect_output(snakemake.log[0])
path, reasoning = snakemake.input[0], snakemake.params.reasoning
check_file_schema(path, SFT_COLUMNS if reasoning else PAIR_COLUMNS)
quarantined = validate_file(path, snakemake.output.kept, reasoning=reasoning)
write_parquet(quarantined, snakemake.output.quarantine)
rows_in = pq.ParquetFile(path).metadata.num_rows
report = validation_report(path, rows_in, quarantined)
write_json(report, snakemake.output.report)
print(f"validate_data: read {rows_in} rows from {path}, kept {report['rows_kept']}, quarantined {quarantined.height}")
for reason, count in report["reasons"].items():
    print(f"  quarantined {count}: {reason}")
check_usable(
    snakemake.wildcards.dataset,
    "validated",
    rows_in,
    report["reasons"],
    snakemake.params.max_skipped,
    rejected=quarantined,
    keep_rejected_at=snakemake.log[0].removesuffix(".log") + ".quarantine.parquet",
)
