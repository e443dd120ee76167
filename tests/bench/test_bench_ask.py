"""The benchmark of jq, CSV and the table on a small document: every measure is taken and judged."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("jq"), reason="the jq command-line program is not installed")
def test_every_measure_is_taken(tmp_path):
    done = subprocess.run([sys.executable, "-m", "bench.ask", "--size", "0.2", "--rounds", "1", "--out",
                           str(tmp_path), "--markdown"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    # Whether a target is met is for the benchmark to say, not for a test: only a crash fails here.
    assert done.returncode in (0, 1), done.stderr[-3000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) == 4, done.stdout
    judged = [rows[0], rows[2], rows[3]]
    assert all(row.rstrip(" |").endswith(("pass", "FAIL")) for row in judged), done.stdout
    assert "through the viewer" in rows[0] and "libjq" in rows[0] and "Debian's jq" in rows[1]
    assert "CSV of /data" in rows[2] and "first rows" in rows[3]
