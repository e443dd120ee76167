"""The page Send to viewer opens first, and a form that arrives again without its document."""
import re

# What Chromium sends when a tab Send to viewer opened is reloaded: the fields again, the file part empty.
BOUNDARY = "----WebKitFormBoundaryzKhBQTbMidhWshJH"
RESENT = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"source_url\"\r\n\r\n"
          "https://acme.api.kustomerapp.com/v1/customers/5f1a\r\n"
          f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"document.json\"\r\n"
          f"Content-Type: application/json\r\n\r\n\r\n--{BOUNDARY}--\r\n").encode()


def test_a_form_resent_without_its_document_says_to_click_send_to_viewer_again(client):
    answer = client.post("/docs", data=RESENT, content_type=f"multipart/form-data; boundary={BOUNDARY}")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "<h1>Send the document again</h1>" in page
    assert re.search(r"Go back to the page that shows the JSON and click Send to viewer again", page)
    assert "The document is empty" not in page


def test_an_empty_url_encoded_form_says_the_same(client):
    answer = client.post("/docs", data=b"", content_type="application/x-www-form-urlencoded",
                         headers={"Accept": "application/json"})
    assert answer.status_code == 400 and "click Send to viewer again" in answer.get_json()["error"]


def test_an_empty_body_is_still_just_empty(client):
    answer = client.post("/docs", data=b"  ", content_type="application/json", headers={"Accept": "application/json"})
    assert answer.status_code == 400 and answer.get_json()["error"].startswith("The document is empty")


def test_the_send_page_runs_its_own_script_only(client):
    answer = client.get("/send")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and '<script src="/static/send.js"></script>' in page
    assert "script-src 'self'" in answer.headers["Content-Security-Policy"]
    assert client.get("/static/send.js").status_code == 200
