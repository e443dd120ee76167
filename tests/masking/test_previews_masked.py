"""A folded resource's preview reads the served text: a masked name stays masked in it."""
import json

from tests.masking.conftest import SAMPLES
from tests.viewer.conftest import row_texts

NAME = "Jenny Jennings"


def test_a_masked_name_stays_masked_in_the_preview(client, post):
    document = json.loads((SAMPLES / "customer.json").read_bytes())
    document = {"data": [document["data"], document["data"]]}
    url = post(json.dumps(document).encode())
    page = client.get(url).get_data(as_text=True)
    assert 'id="masked-note"' in page
    html = client.get(url + "/rows?start=0&count=100&mode=c&x=0,1").get_json()["html"]
    rows = row_texts(html)
    previews = [row for row in rows if "type: " in row]
    assert len(previews) == 2 and all('type: "customer"' in row and "name: " in row for row in previews)
    assert not any("Jenny" in row for row in rows)
