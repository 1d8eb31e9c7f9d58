"""The HTML report in a real headless Chromium, the manifest, and handing results/ to a colleague."""

import base64
import io
import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import REPO, snakemake
from PIL import Image

from egt.provenance.fingerprint import sha256_file

pytestmark = pytest.mark.pipeline
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
SMOKE = str(REPO / "config/smoke.yaml")


def not_blank(png: bytes) -> bool:
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)
    return pixels.std() > 5.0


@pytest.fixture(scope="module")
def report_html(smoke_run) -> Path:
    path = smoke_run / "report.html"
    snakemake("--configfile", SMOKE, "--report", str(path), workdir=smoke_run)
    return path


def test_report_embeds_every_figure_and_table(report_html):
    text = report_html.read_text()
    for name in ("entropy_histogram", "entropy_accuracy", "curriculum", "training_curves", "calibration", "best_of_n"):
        assert f"filename={name}.png;base64," in text, name
        encoded = text.split(f"filename={name}.png;base64,")[1].split('"')[0]
        assert not_blank(base64.b64decode(encoded)), name
    assert "filename=evaluation.html" in text and "filename=run_info.html" in text
    assert "filename=data.html" in text  # what each dataset left out, by role


@pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; .ci/run does)",
)
def test_report_renders_in_headless_chromium(report_html, tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1280,900",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        driver.set_script_timeout(30)
        driver.get(report_html.as_uri())
        # The browser itself decodes every embedded figure and measures its pixels.
        images = driver.execute_async_script(
            """
            const done = arguments[arguments.length - 1];
            const entries = Object.entries(results).filter(([, r]) => r.mime_type === "image/png");
            Promise.all(entries.map(([path, r]) => new Promise(resolve => {
                const img = new Image();
                img.onload = () => {
                    const canvas = document.createElement("canvas");
                    canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
                    const ctx = canvas.getContext("2d");
                    ctx.drawImage(img, 0, 0);
                    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
                    let min = 255, max = 0;
                    for (let i = 0; i < data.length; i += 4) {
                        min = Math.min(min, data[i]); max = Math.max(max, data[i]);
                    }
                    resolve({path, width: img.naturalWidth, height: img.naturalHeight, range: max - min});
                };
                img.onerror = () => resolve({path, width: 0, height: 0, range: 0});
                img.src = r.data_uri;
            }))).then(done);
            """
        )
        screenshot = driver.get_screenshot_as_png()
        errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    finally:
        driver.quit()
    assert not errors, errors
    # entropy histogram and accuracy, curriculum, training curves, calibration, best of N
    assert len(images) == 6, images
    for image in images:
        assert image["width"] > 100 and image["height"] > 100 and image["range"] > 50, image
    assert not_blank(screenshot)


def test_manifest_lists_config_versions_and_checksums(smoke_run):
    manifest = json.loads((smoke_run / "results/smoke/manifest.json").read_text())
    assert (
        manifest["config"]["curation"]["keep_quantile"]
        == yaml.safe_load((REPO / "config/config.yaml").read_text())["curation"]["keep_quantile"]
    )
    assert manifest["packages"]["torch"].startswith("2.13.0") and manifest["packages"]["trl"] == "1.16.0"
    outputs = manifest["outputs"]
    for expected in (
        "results/smoke/summary.json",
        "results/smoke/data/pool.parquet",
        "results/smoke/sft/model/model.safetensors",
    ):
        assert expected in outputs
    for relative, digest in list(outputs.items())[:10]:
        assert sha256_file(smoke_run / relative) == digest
    assert "results/smoke/manifest.json" not in outputs
