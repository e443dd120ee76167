"""JSONTestSuite's parsing corpus: y_ accepted, n_ refused with 400, i_ never a server error."""
import pytest

from tests.viewer.conftest import DATA

CORPUS = DATA / "JSONTestSuite" / "test_parsing"
FILES = sorted(CORPUS.glob("*.json")) if CORPUS.exists() else []


@pytest.mark.skipif(not FILES, reason=f"{CORPUS} is not there")
def test_corpus(client):
    wrong = []
    for path in FILES:
        response = client.post("/docs", data=path.read_bytes(), content_type="application/json",
                               headers={"Accept": "application/json"})
        status, name = response.status_code, path.name
        if name.startswith("y_") and status != 303:
            wrong.append(f"{name}: accepted JSON answered {status} {response.get_json()}")
        elif name.startswith("n_") and status != 400:
            wrong.append(f"{name}: invalid JSON answered {status}, not 400")
        elif status >= 500 or status not in (303, 400):
            wrong.append(f"{name}: answered {status}")
        if status == 400 and not response.get_json().get("error"):
            wrong.append(f"{name}: a 400 without a message")
    assert not wrong, "\n".join(wrong)
    assert len(FILES) > 300
