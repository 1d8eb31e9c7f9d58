"""Adopt a results folder copied from another machine or checkout (see egt.provenance.adopt).

    python tools/adopt_results.py                                     # the default run (results/toy)
    python tools/adopt_results.py --configfile config/smoke.yaml      # from the repository root

Checks every file against results/<run>/manifest.json, names what differs (files, config keys,
code), sets aside what is no longer valid here and marks the rest as current, then shows what
`snakemake -n` now plans. Exit status 0 when everything was adopted, 1 when something was set aside.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from egt.provenance.adopt import AdoptionError, adopt, configfile_args  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configfile", nargs="*", default=[], help="the config files the run will use")
    parser.add_argument("--directory", default=".", help="the working directory holding results/ (default: here)")
    args = parser.parse_args()
    try:
        report = adopt(args.directory, args.configfile, REPO)
    except AdoptionError as error:
        print(f"adopt: {error}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    command = [sys.executable, "-m", "snakemake", "-n", "--snakefile", str(REPO / "Snakefile")]
    command += ["--directory", args.directory, *configfile_args(args.configfile)]
    dry = subprocess.run(command, capture_output=True, text=True)
    output = dry.stdout + dry.stderr
    stats = output.split("Job stats:")[1].split("\n\n")[0] if "Job stats:" in output else "  nothing"
    print("what `snakemake` will now run:" + stats)
    return 1 if report.set_aside else 0


if __name__ == "__main__":
    sys.exit(main())
