"""The repository stands alone: a clone with nothing beside it collects the whole suite."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_a_clone_alone_collects_every_test(tmp_path):
    if not shutil.which("git") or not (ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout of the repository")
    clone = tmp_path / "alone" / "project"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    assert not (clone.parent / "shared").exists()
    result = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
                            cwd=clone, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "collected" in result.stdout


def test_no_test_reads_outside_the_repository():
    here = Path(__file__).resolve()
    offenders = [str(path.relative_to(ROOT)) for path in (ROOT / "tests").rglob("*.py")
                 if path != here and ("../shared" in path.read_text() or '"shared"' in path.read_text())]
    assert offenders == []
