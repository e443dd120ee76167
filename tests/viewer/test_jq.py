"""jq on a document: outputs as a new document, exact numbers, jq's errors, no environment, same origin only."""
import json
import re
import shutil
import subprocess

import pytest

from tests.viewer.conftest import SAMPLES

BIG = b'{"data": [{"id": 1, "n": 123456789012345678901234567890, "f": 1.10}, {"id": 2, "n": -9007199254740993}]}'


@pytest.fixture()
def jq(client):
    """jq(doc, program, **headers) -> the response to GET /docs/<doc>/jq?q=program."""
    def jq(doc, program, **headers):
        return client.get(f"/docs/{doc}/jq", query_string={"q": program}, headers=headers)
    return jq


def result_of(client, response) -> tuple:
    """(id, raw bytes) of the document a 303 from /jq leads to."""
    assert response.status_code == 303, response.get_data(as_text=True)[-600:]
    doc = response.headers["Location"].rsplit("/", 1)[1]
    return doc, client.get(f"/docs/{doc}/raw").data


def test_one_output_is_the_result_itself(client, post, jq):
    doc = post(BIG)
    _, raw = result_of(client, jq(doc, ".data[0]"))
    assert raw == b'{"id":1,"n":123456789012345678901234567890,"f":1.10}'


def test_several_outputs_are_an_array_and_the_page_says_how_many(client, post, jq):
    doc = post(BIG)
    result, raw = result_of(client, jq(doc, ".data[] | .n"))
    assert raw == b"[123456789012345678901234567890,-9007199254740993]"
    page = client.get(f"/docs/{result}").get_data(as_text=True)
    assert "2 outputs, shown as an array of them" in page
    assert 'id="made-program">.data[] | .n</code>' in page
    assert f'href="/docs/{doc}"' in page
    # The box holds the program, and runs it again on the same source.
    assert f'action="/docs/{doc}/jq"' in page and 'value=".data[] | .n"' in page


def test_no_output_is_an_empty_array(client, post, jq):
    doc = post(BIG)
    result, raw = result_of(client, jq(doc, ".data[] | select(.id > 5)"))
    assert raw == b"[]"
    assert "no output, shown as an empty array" in client.get(f"/docs/{result}").get_data(as_text=True)


def test_big_integers_keep_every_digit(client, post, jq):
    doc = post(b'[9007199254740993, 18446744073709551617, -1e400, 0.1000000000000000055511151231257827]')
    _, raw = result_of(client, jq(doc, "."))
    # Every digit stays; jq writes an exponent its own way (1E+400).
    assert raw == b"[9007199254740993,18446744073709551617,-1E+400,0.1000000000000000055511151231257827]"
    _, raw = result_of(client, jq(doc, ".[1]"))
    assert raw == b"18446744073709551617"


def test_numbers_jq_computes_with_are_jq_numbers(client, post, jq):
    doc = post(b"[1e2, 9007199254740993]")
    _, raw = result_of(client, jq(doc, ".[0], .[1] + 0"))
    assert raw == b"[1E+2,9007199254740992]"  # jq rewrites 1e2; arithmetic is in doubles


def test_a_result_is_a_document_like_any_other(client, post, jq):
    doc = post((SAMPLES / "conversation-messages.json").read_bytes(), query_string={
        "source_url": "https://acme.api.kustomerapp.com/v1/conversations/60aa11bb22cc33dd44ee55ff/messages"})
    result, raw = result_of(client, jq(doc, "[.data[] | {id, preview: .attributes.preview}]"))
    assert json.loads(raw)[0] == {"id": "60aa11bb22cc33dd44ee5601",
                                  "preview": "Hi, my order #4417 has not arrived yet."}
    rows = client.get(f"/docs/{result}/rows?start=0&count=50").get_json()
    assert rows["total"] > 4
    # Deleting the source leaves its results.
    assert client.post(f"/docs/{doc}/delete").status_code == 303
    assert client.get(f"/docs/{result}").status_code == 200


def test_a_compile_error_answers_400_with_jqs_message(client, post, jq):
    doc = post(BIG)
    response = jq(doc, ".data[")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "syntax error" in text and "compile error" in text
    assert 'value=".data["' in text  # the program in the box, to mend it


def test_a_run_error_answers_422_with_jqs_message(client, post, jq):
    doc = post(BIG)
    response = jq(doc, '.data[0].n | error("no good: \\(.)")', Accept="application/json")
    assert response.status_code == 422
    assert response.get_json()["error"] == "jq: error: no good: 123456789012345678901234567890"
    response = jq(doc, ".data.id")
    assert response.status_code == 422 and "Cannot index array with" in response.get_data(as_text=True)


def test_an_empty_program_is_refused(post, jq):
    assert jq(post(BIG), "  ").status_code == 400


@pytest.mark.parametrize("program", ["$ENV", "env", "$ENV.KUSTOMER_API_KEY", "[env[]]", "$__prog_args?"])
def test_a_program_reads_no_environment(post, jq, client, monkeypatch, program):
    monkeypatch.setenv("KUSTOMER_API_KEY", "secret-key-of-the-test")
    monkeypatch.setenv("HOME", "/root")
    response = jq(post(BIG), program)
    if response.status_code == 303:
        _, raw = result_of(client, response)
        assert raw in (b"{}", b"null", b"[]")
    else:
        assert b"secret-key" not in response.data


def test_a_program_opens_no_file(post, jq, tmp_path):
    (tmp_path / "secret.json").write_text('{"key": "secret-key-of-the-test"}')
    (tmp_path / "lib.jq").write_text('def key: "secret-key-of-the-test";')
    doc = post(BIG)
    for program in (f'import "secret" as $s {{search: "{tmp_path}"}}; $s',
                    f'include "lib" {{search: "{tmp_path}"}}; key', 'input_filename'):
        response = jq(doc, program)
        assert b"secret-key" not in response.data
        if response.status_code != 303:
            assert response.status_code == 400 and b"cannot read files" in response.data


@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"},
                                     {"Sec-Fetch-Site": "same-site"}, {"Referer": "https://evil.example/x"}])
def test_a_program_asked_for_by_another_site_is_refused(post, jq, client, headers):
    doc = post(BIG)
    response = jq(doc, ".data", **headers)
    assert response.status_code == 403
    assert len(re.findall(r'href="/docs/', client.get("/").get_data(as_text=True))) <= 2  # no result was made


def test_the_own_pages_requests_are_served(post, jq):
    doc = post(BIG)
    assert jq(doc, ".", **{"Sec-Fetch-Site": "same-origin"}).status_code == 303
    assert jq(doc, ".", **{"Sec-Fetch-Site": "none"}).status_code == 303


def test_outputs_over_the_size_limit_are_refused(tmp_path):
    from viewer.web.app import create_app
    client = create_app({"DATABASE": str(tmp_path / "v.db"), "TESTING": True, "MAX_BYTES": 4096}).test_client()
    response = client.post("/docs", data=b"[1,2,3]", content_type="application/json")
    doc = response.headers["Location"].rsplit("/", 1)[1]
    response = client.get(f"/docs/{doc}/jq", query_string={"q": '[range(2000) | tostring] | join(",")'})
    assert response.status_code == 413 and b"--max-bytes" in response.data


def test_the_path_of_a_value_as_jq(client, post):
    doc = post(b'{"data": [{"attributes": {"a.b": 1, "name": "x"}}]}')
    paths = {client.get(f"/docs/{doc}/path?line={line}").get_json()["jq"] for line in range(7)}
    assert {".", ".data", ".data[0]", ".data[0].attributes", '.data[0].attributes."a.b"',
            ".data[0].attributes.name"} <= paths


AGREEMENT = [".", ".data | length", ".data[] | .id", "[.data[] | select(.attributes.direction == \"in\") | .id]",
             ".data | map(.attributes | keys) | add | unique", "[paths] | length", ".data[0] | to_entries",
             ".meta.total * 2", "empty", ".data[] | .attributes.createdAt | fromdateiso8601? // .",
             "[.data[] | {id, n: (.attributes.preview | length)}] | sort_by(.n)"]


@pytest.mark.skipif(not shutil.which("jq"), reason="the jq command-line program is not installed")
@pytest.mark.parametrize("program", AGREEMENT)
def test_results_agree_with_the_jq_program(client, post, jq, program):
    raw = (SAMPLES / "conversation-messages.json").read_bytes()
    _, got = result_of(client, jq(post(raw), program))
    done = subprocess.run(["jq", "-c", program], input=raw, capture_output=True, check=True)
    outputs = [json.loads(line) for line in done.stdout.splitlines()]
    assert json.loads(got) == (outputs[0] if len(outputs) == 1 else outputs)


def test_a_third_program_at_once_is_asked_to_wait(app, post, jq):
    doc = post(BIG)
    runs = app.extensions["viewer.jq_runs"]
    assert runs.acquire(blocking=False) and runs.acquire(blocking=False)
    try:
        response = jq(doc, ".")
        assert response.status_code == 503 and b"running already" in response.data
    finally:
        runs.release()
        runs.release()
    assert jq(doc, ".").status_code == 303
