"""`make test` runs on two pytest-xdist workers and relies on conftest's grouping to build the shared
smoke run once and to run the Slurm rehearsal once. If grouping silently stops working (pytest 9.2
with pytest-xdist 3.8 did that), every expensive fixture runs on both workers and CI takes twice as
long while still passing; this test makes that a failure instead."""

import subprocess
import sys
import textwrap

from conftest import REPO

PROJECT = {
    "conftest.py": f"""
        import importlib.util

        spec = importlib.util.spec_from_file_location("egt_conftest", {str(REPO / "tests/conftest.py")!r})
        egt_conftest = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(egt_conftest)
        pytest_collection_modifyitems = egt_conftest.pytest_collection_modifyitems
        """,
    "test_shared.py": """
        import os
        import pytest

        @pytest.fixture(scope="session")
        def smoke_run(tmp_path_factory):
            with open(os.environ["SETUP_LOG"], "a") as log:
                log.write(os.environ.get("PYTEST_XDIST_WORKER", "main") + "\\n")

        @pytest.mark.parametrize("n", range(6))
        def test_uses_the_smoke_run(smoke_run, n):
            pass

        @pytest.mark.parametrize("n", range(6))
        def test_other(n):
            pass
        """,
}


def test_the_shared_smoke_run_is_built_once_on_two_workers(tmp_path):
    for name, text in PROJECT.items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    log = tmp_path / "setups.log"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", "2", "--dist", "loadgroup", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env={"SETUP_LOG": str(log), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO / "src")},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(log.read_text().split()) == 1, f"the smoke run was built on: {log.read_text().split()}"
