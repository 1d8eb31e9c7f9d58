"""Compare a run with its committed reference figures (reference/<run>.json).

    python tools/check_reference.py                    # results/toy against reference/toy.json
    python tools/check_reference.py --run smoke        # results/smoke against reference/smoke.json
    python tools/check_reference.py --run toy --write  # record this run's figures as the reference

Every figure the run has produced so far is compared exactly (the SFT weights' sha256, evaluation
accuracies, and once finished the summary's entropy and curation figures). Exit 0 when all match,
1 when one differs (each named, with the numeric environment of both), 2 when nothing was comparable.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from egt.numerics import environments_in_logs  # noqa: E402
from egt.provenance.reference import compare, figures  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", default="toy", help="the run's name (results/<run>/, reference/<run>.json)")
    parser.add_argument("--directory", default=".", help="the working directory holding results/")
    parser.add_argument("--write", action="store_true", help="write this run's figures as the reference")
    args = parser.parse_args()
    results = Path(args.directory) / "results" / args.run
    path = REPO / "reference" / f"{args.run}.json"
    found = figures(results)
    environments = [e["environment"] for e in environments_in_logs(results / "logs")]
    if args.write:
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps({"run": args.run, "environments": environments, "figures": found}, indent=2) + "\n")
        print(f"check_reference: wrote {len(found)} figures to {path}")
        return 0
    reference = json.loads(path.read_text())
    same, differ = compare(reference, found)
    print(f"check_reference: {results} against {path}: {len(same)} figures match, {len(differ)} differ")
    for line in differ:
        print(f"  differs: {line}")
    if differ:
        print(f"  the reference was made under: {json.dumps(reference['environments'])}")
        print(f"  this run under: {json.dumps(environments)}")
    return 1 if differ else (0 if same else 2)


if __name__ == "__main__":
    sys.exit(main())
