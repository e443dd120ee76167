"""jq, the table and CSV of a masked document read its masked rendition: no original in any result."""
import pytest

from tests.masking.conftest import SAMPLES

SECRETS = ["Jenny Jennings", "jenny.jennings", "+15558675309", "90071992547409931"]
LIST_SECRETS = ["Ada Example", "ada@example.org", "Grace Example", "grace@example.net"]


def made(client, url, program):
    response = client.get(f"{url}/jq", query_string={"q": program})
    assert response.status_code == 303, response.get_data(as_text=True)[-500:]
    return response.headers["Location"]


def everything(client, url) -> str:
    """Every way the result's text shows: page, rows, raw bytes, raw view."""
    rows = client.get(f"{url}/rows?start=0&count=1000").get_json()["html"]
    return "".join([client.get(url).get_data(as_text=True), rows, client.get(f"{url}/raw").get_data(as_text=True),
                    client.get(f"{url}/text").get_data(as_text=True)])


@pytest.mark.parametrize("program", [".", ".data.attributes", "[.. | strings]", "tostream", ".data | tojson",
                                     "[paths(..)] | length", '.data.attributes.emails[0].email | explode'])
def test_a_program_on_a_masked_document_gives_back_no_original(client, post, program):
    url = post((SAMPLES / "customer.json").read_bytes())
    result = made(client, url, program)
    text = everything(client, result)
    for secret in SECRETS:
        assert secret not in text, (program, secret)


def test_the_result_says_it_came_from_masked_text_and_has_no_unmask(client, post):
    url = post((SAMPLES / "customer.json").read_bytes())
    result = made(client, url, ".data.attributes")
    page = client.get(result).get_data(as_text=True)
    assert 'id="made-masked"' in page and "unmask the source and run the program again" in page
    assert 'id="unmask"' not in page
    refused = client.post(f"{result}/unmask", data={"hours": "1"})
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "no original to show" in text or "nothing to unmask" in text
    assert "Jenny Jennings" not in everything(client, result)


def test_a_result_of_an_unmasked_document_masks_itself_again_with_its_source(client, post, clock):
    url = post((SAMPLES / "customer.json").read_bytes())
    assert client.post(f"{url}/unmask", data={"hours": "1"}).status_code == 303
    result = made(client, url, ".data.attributes | {name, emails, note: \"kept\"}")
    page = client.get(result).get_data(as_text=True)
    assert 'id="made-masked"' not in page and 'id="unmasked-note"' in page
    assert "Jenny Jennings" in client.get(f"{result}/raw").get_data(as_text=True)
    clock.now += 3600
    text = everything(client, result)
    for secret in SECRETS:
        assert secret not in text, secret
    assert '"kept"' in client.get(f"{result}/raw").get_data(as_text=True)
    page = client.get(result).get_data(as_text=True)
    assert 'id="masked-note"' in page and page.count('class="mask-badge masked"') >= 2  # the note and its lines


@pytest.mark.parametrize("suffix", ["/table?path=/data", "/table/rows?path=/data&sort=attributes.name",
                                    "/table.csv?path=/data", "/table.csv?path=/data&exact=1",
                                    "/table.csv?path=/data&tsv=1&column=attributes.name&column=attributes.emails"])
def test_table_and_csv_of_a_masked_list_hold_no_original(client, post, suffix):
    url = post((SAMPLES / "customers-page-2.json").read_bytes())
    response = client.get(url + suffix)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    for secret in LIST_SECRETS:
        assert secret not in text, (suffix, secret)
    assert "********" in text


def test_masked_cells_carry_their_badge(client, post):
    url = post((SAMPLES / "customers-page-2.json").read_bytes())
    page = client.get(f"{url}/table?path=/data").get_data(as_text=True)
    assert page.count('class="mask-badge masked"') >= 4  # name and emails of both customers, and the note
    assert 'id="masked-note"' in page
