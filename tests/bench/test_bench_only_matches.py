"""The Only matches benchmark's machinery on a small document: it picks a word, counts it and times the rows."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_first_screen_of_only_matches_is_measured():
    done = subprocess.run([sys.executable, "-m", "bench.only_matches", "--size", "1", "--rounds", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr[-3000:]  # whether the target is met is the benchmark's word
    assert "first screen of only the matches" in done.stdout and "hits" in done.stdout, done.stdout
