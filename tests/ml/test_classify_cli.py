import json
import subprocess
import sys
from pathlib import Path

from ml import render
from ml.reports import synthetic

ROOT = Path(__file__).resolve().parents[2]


def test_it_prints_one_json_object_per_file(mitdb, tmp_path):
    beat = tmp_path / "beat.png"
    render.beat_image(synthetic.beat("N")).save(beat)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    record = mitdb / "100.hea"
    proc = subprocess.run(
        [sys.executable, "-m", "ml.classify", str(beat), str(record), str(text)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [d["file"] for d in lines] == [str(beat), str(record), str(text)]
    assert lines[0]["kind"] == "image" and lines[0]["label"] in lines[0]["probabilities"]
    assert lines[1]["kind"] == "signal" and sum(lines[1]["counts"].values()) > 2000
    assert "error" in lines[2]
    assert proc.returncode == 1  # one file could not be judged
