"""What went wrong on the way to the API, in words a support engineer can act on.

Each function builds an UpstreamError: a `kind` for code and tests, a title and a message for
people, the API's own error messages first, and the HTTP status the viewer answers with.
"""
import json
import re
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

from ..errors import ViewerError
from .ratelimit import retry_after_seconds

# Kustomer's published per-minute request limits per organisation, by plan.
PLAN_LIMITS = (("Professional", 300), ("Business", 500), ("Enterprise", 1000), ("Ultimate", 2000))

# Kustomer's regions ("pods") and the API host each one answers on.
POD_HOSTS = {"prod1": ("the US region", "api.kustomerapp.com"), "prod2": ("the EU region", "api.prod2.kustomerapp.com")}
WRONG_POD = re.compile(r"associated with pod (\w+) but request is being handled by (\w+)")


class UpstreamError(ViewerError):
    """The API, or the way to it, failed: `kind` names the case, the message says what to do."""

    def __init__(self, kind: str, title: str, advice: str, status: int, *, url: str = "",
                 upstream_status: int | None = None, details=(), headers=None,
                 retry_after: int | None = None, hints=(), links=()):
        details = list(details)
        said = f"Kustomer says: \u201c{details[0]['message']}\u201d " if details else ""
        super().__init__(said + advice, status)
        self.kind, self.title, self.url, self.advice = kind, title, url, advice
        self.upstream_status = upstream_status
        self.details = details  # [{"code", "title", "message"}] as the API sent them: shown first
        self.headers = dict(headers or {})
        self.retry_after = retry_after  # seconds from now, when the API said
        self.hints = list(hints)  # sentences that help, after the message
        self.links = list(links)  # [(label, API URL)]: where to try instead

    def to_json(self) -> dict:
        return {"error": str(self), "kind": self.kind, "title": self.title, "advice": self.advice, "url": self.url,
                "upstream_status": self.upstream_status, "details": self.details,
                "retry_after": self.retry_after, "rate_limit": self.headers, "hints": self.hints,
                "links": [{"label": label, "url": url} for label, url in self.links]}


def missing_key(variable: str, name: str = "", *, chosen: bool = False) -> UpstreamError:
    """No key for `name` (an organisation or host); `chosen`: the name was asked for (&org=NAME)."""
    command = f"python -m viewer key set {name or 'default'}"
    where = (f"no key is stored under the name {name}, asked for with org={name}" if chosen else
             f"no key is stored for {name or 'this host'} and {variable} is not set")
    return UpstreamError(
        "missing_key", f"No API key for {name}" if name else "No API key is set",
        f"The viewer fetches Kustomer's API with your API key, and {where}. Add one with: {command} "
        f"(it reads the key from standard input or asks for it). Or set {variable} where you start the viewer, "
        "then restart the viewer.",
        401, hints=[f"Add the key of {name or 'every organisation'}: {command}",
                    f"macOS and Linux: export {variable}='your key' and then python -m viewer",
                    f"Windows PowerShell: $env:{variable} = 'your key' and then python -m viewer",
                    "Create a key in Kustomer under Settings, Security, API Keys, with the roles to read what "
                    "you open (for example org.permission.conversation.read). "
                    "Without a key, the Send to viewer bookmarklet still works on any API page you can open."])


def key_file_problem(path: str, why: str) -> UpstreamError:
    return UpstreamError(
        "key_file", "The API key file is not usable",
        f"The viewer reads your API keys from {path}, but {why}. "
        f"To store a key again, run: python -m viewer key set NAME", 401)


def malformed_key(variable: str) -> UpstreamError:
    return UpstreamError(
        "malformed_key", "The API key is not usable",
        f"The key for this request (from {variable} or the key file) holds a space, line break or other "
        f"character that an API key cannot contain. Copy the key again and store exactly that text with "
        f"python -m viewer key set NAME (or set {variable} to it and restart the viewer).", 401)


def from_response(url: str, status: int, headers: dict, body: bytes, key: str = "") -> UpstreamError:
    """An error answer (any non-2xx, non-redirect status) explained by its status and body."""
    details = error_details(body, headers.get("content-type", ""))
    common = dict(url=url, upstream_status=status, details=details, headers=headers)
    if status == 401:
        return _unauthorized(url, details, common)
    if status == 403:
        return UpstreamError(
            "forbidden", "The API key lacks a permission (403)",
            "The key's roles do not include the permission this request needs. Add a role with it to "
            "the key in Kustomer (Settings, Security, API Keys), or use a key that has it.", 403, **common)
    if status == 404:
        return UpstreamError(
            "not_found", "Nothing there (404)",
            f"Kustomer has nothing at {urlsplit(url).path}: the ID may be mistyped, deleted, or belong "
            "to another organisation.", 404, **common)
    if status == 429:
        return _rate_limited(url, common)
    if status >= 500:
        return UpstreamError(
            "server_error", f"Kustomer had a problem ({status})",
            f"Kustomer's API answered {status}, an error on its side. Try again in a minute; if it "
            "persists, check Kustomer's status page.", 502, **common)
    return UpstreamError(
        "refused", f"Kustomer refused the request ({status})",
        f"Kustomer's API answered {status} to this URL. Check the URL and its query parameters.",
        502, **common)


def _unauthorized(url, details, common) -> UpstreamError:
    text = " ".join(d["message"] for d in details)
    pods = WRONG_POD.search(text)
    if pods and pods.group(1) in POD_HOSTS:
        key_region, key_host = POD_HOSTS[pods.group(1)]
        here = POD_HOSTS.get(pods.group(2), (f"pod {pods.group(2)}", ""))[0]
        parts = urlsplit(url)
        other = urlunsplit(("https", key_host, parts.path, parts.query, ""))
        return UpstreamError(
            "wrong_region", "The API key belongs to another region (401)",
            f"The key belongs to {key_region}, but {parts.hostname} is answered by {here}. "
            f"Open the same path on {key_region}'s API host, {key_host}, or use a key made in this "
            "organisation's region.", 401, links=[(f"Fetch it from {key_host}", other)],
            hints=["US organisations use api.kustomerapp.com; EU organisations use api.prod2.kustomerapp.com."],
            **common)
    return UpstreamError(
        "unauthorized", "Kustomer did not accept the API key (401)",
        "Check that KUSTOMER_API_KEY holds a current key of this organisation (keys can be revoked "
        "or expire), then restart the viewer.", 401,
        hints=["A key made for an EU organisation only works on api.prod2.kustomerapp.com, a US one on "
               "api.kustomerapp.com."], **common)


def _rate_limited(url, common) -> UpstreamError:
    wait = retry_after_seconds(common["headers"])
    if wait is None:
        when = "Wait a minute before trying again."
    else:
        at = datetime.fromtimestamp(time.time() + wait, UTC).strftime("%H:%M:%S UTC")
        when = f"Try again in {wait} second{'s' if wait != 1 else ''} (at {at})."
    plans = ", ".join(f"{n} ({p})" for p, n in PLAN_LIMITS)
    hints = [f"Kustomer allows each organisation a number of requests per minute by plan: {plans}; every "
             "key and integration of the organisation shares them."]
    limit = common["headers"].get("x-ratelimit-limit")
    if limit:
        hints.insert(0, f"This organisation's limit is {limit} requests per minute.")
    return UpstreamError("rate_limited", "Rate limited by Kustomer (429)",
                         f"Too many requests for this organisation. {when}", 429,
                         retry_after=wait, hints=hints, **common)


def error_details(body: bytes, content_type: str = "") -> list:
    """Kustomer's two error shapes, and a few common others, as [{"code", "title", "message"}]."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _text_detail(body, content_type)
    errors = data.get("errors") if isinstance(data, dict) else None
    if isinstance(errors, dict):
        errors = [errors]
    if not isinstance(errors, list):
        errors = [data] if isinstance(data, dict) else []
    found = []
    for error in errors:
        if isinstance(error, str):
            found.append({"code": "", "title": "", "message": error})
        elif isinstance(error, dict):
            nested = error.get("error")
            if isinstance(nested, dict):
                error = {**error, **nested}
            message = next((str(error[k]) for k in ("message", "detail", "title", "error")
                            if isinstance(error.get(k), (str, int)) and str(error[k])), "")
            if message:
                found.append({"code": str(error.get("code") or ""), "title": str(error.get("title") or ""),
                              "message": message})
    return found


def _text_detail(body: bytes, content_type: str) -> list:
    text = body[:4096].decode("utf-8", "replace")
    title = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
    if title:
        text = title.group(1)
    elif "html" in content_type.lower() or text.lstrip().startswith("<"):
        text = re.sub(r"<[^>]*>", " ", text)
    text = " ".join(text.split())[:300]
    return [{"code": "", "title": "", "message": text}] if text else []


def not_json(url: str, status: int, headers: dict, problem: Exception) -> UpstreamError:
    content_type = headers.get("content-type", "")
    html = "html" in content_type.lower()
    advice = (f"{url} answered {status} with {content_type or 'no content type'}, which is not a JSON document "
              f"({str(problem).rstrip('.')})")
    advice += (". A web page there usually means the URL is one of the app's pages, not the API's: API URLs look "
               "like https://{org}.api.kustomerapp.com/v1/…") if html else ". Try the URL again; if it persists, the API sent something the viewer cannot show."
    return UpstreamError("not_json", "The API did not answer with JSON", advice, 502, url=url,
                         upstream_status=status, headers=headers)


def bad_redirect(url: str, what: str) -> UpstreamError:
    return UpstreamError("bad_redirect", "A redirect the viewer cannot follow",
                         f"{url} answered with {what}.", 502, url=url)


def dns_failure(url: str, host: str, exc: Exception) -> UpstreamError:
    return UpstreamError("dns", "The API's name does not resolve",
                         f"{host} could not be found ({exc.strerror or exc}). Check the organisation name in "
                         "the URL, and that this computer is online.", 502, url=url)


def timeout(url: str, phase: str, seconds: float) -> UpstreamError:
    doing = "connect to" if phase == "connect" else "answer from"
    return UpstreamError("timeout", "The API took too long",
                         f"No {doing} {urlsplit(url).hostname} within {seconds:g} seconds. Try again; a big list "
                         "may need a smaller pageSize.", 504, url=url)


def tls_failure(url: str, host: str, exc: Exception) -> UpstreamError:
    reason = getattr(exc, "verify_message", None) or getattr(exc, "reason", None) or str(exc)
    return UpstreamError("tls", "The API's certificate was not trusted",
                         f"The secure connection to {host} failed ({reason}). The viewer trusts the system's "
                         "certificates (and SSL_CERT_FILE when set); a proxy that inspects HTTPS needs its CA "
                         "certificate there.", 502, url=url)


def connection_failure(url: str, host: str, exc: Exception) -> UpstreamError:
    reason = getattr(exc, "strerror", None) or exc.__class__.__name__
    return UpstreamError("connection", "The API could not be reached",
                         f"The connection to {host} failed ({reason}). Check that this computer is online, "
                         "then try again.", 502, url=url)


def too_large(url: str, limit: int, size: int | None) -> UpstreamError:
    said = f" is {size:,} bytes," if size else ""
    return UpstreamError("too_large", "The document is too large",
                         f"The answer from {urlsplit(url).hostname}{said} over the viewer's limit of {limit:,} "
                         "bytes. Ask for less (a smaller pageSize), or start the viewer with a higher limit.",
                         413, url=url)
