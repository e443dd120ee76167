"""The same answer masked the same way on either side of every size where the intake changes its path (1 MiB, 8 MiB)."""
import pytest

from tests.masking.conftest import every_text
from tests.masking.test_spans import MANY, NEWLINES, SPACE, UNEXPECTED, customer

SECRETS = ["Jenny Jennings", "jenny@example.com", "90071992547409931", "Jennifer", "5558675309", "jj@example.net"]
SHOWN = ["c1", "home", "en_US", "k4999", "gold"]


def awkward_answer(size: int) -> bytes:
    """Every way around masking at once, padded to at least `size` bytes."""
    customers = [
        customer('{"emails": [{"type": "home", "email": "jenny@example.com"}], "emails": [], "locale": "en_US"}'),
        customer('{"name": "Jenny Jennings"}', after=', "attributes": {}'),
        customer('{"custom": {"legacyAccountIdNum": 1, "\\u006cegacyAccountIdNum": 90071992547409931, '
                 '"loyaltyTierStr": "gold"}, "custom": {"legacyAccountIdNum": 90071992547409931}}'),
        customer('{"n\\u0061me": "Jenny Jennings", "name": "Jennifer"}', before_type=SPACE),
        customer(f'{{{NEWLINES}"name"{SPACE}:{SPACE}"Jenny Jennings", "phones"{SPACE}: [{{"phone": "+15558675309"}}]}}'),
        '{"type": "conversation", "attributes": {"name": "Jenny Jennings"}, "t\\u0079pe": "customer"}',
        customer("{" + "".join(f'"k{i}": {i}, ' for i in range(MANY)) + '"n\\u0061me": "Jenny Jennings"}'),
        *(customer(attributes) for _, attributes, _ in UNEXPECTED),
    ]
    head = "{" + SPACE + '"d\\u0061ta"' + SPACE + ":" + SPACE + "[" + ", ".join(customers) + "], "
    tail = '"data": {"type": "customer", "attributes": {"name": "Jenny Jennings"}}, "padding": ['
    raw = (head + tail).encode()
    filler = b'"padding padding padding padding", '
    count = max(0, size - len(raw)) // len(filler) + 1
    return raw + filler * count + b'"end"]}'


@pytest.fixture(params=["engine ready", "engine not ready"])
def engine(request, app):
    """The engine's worker ready, or not (a first start, while it is built): then the judge takes everything."""
    engine = app.extensions["viewer.engine"]
    if request.param == "engine ready":
        assert engine.wait_ready(600), engine.describe()
        yield
        engine.stop()
        return
    app.extensions["viewer.engine"] = None
    yield


@pytest.mark.parametrize("size", [0, 1 << 20, 8 << 20], ids=["small", "over 1 MiB", "over 8 MiB"])
def test_nothing_sensitive_is_served_whatever_the_size(engine, client, post, size):
    raw = awkward_answer(size + (64 << 10))
    url = post(raw)
    served = client.get(f"{url}/raw").get_data()
    text = every_text(served)
    for secret in SECRETS:
        assert secret not in text, secret
    for value in SHOWN:
        assert value in text, value
    page = client.get(url).get_data(as_text=True)
    assert "had an unexpected shape" in page and "masked whole" in page
    rows = client.get(f"{url}/rows?start=0&count=1000").get_json()["html"]
    assert "Jenny" not in rows and "jenny" not in rows
