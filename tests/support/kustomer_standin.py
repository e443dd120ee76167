"""A local HTTPS stand-in for Kustomer: its API on `*.api.kustomerapp.com`, its app pages elsewhere.

It listens on port 443 of a random loopback address (127.x.y.z), so that a process whose
`/etc/hosts` maps Kustomer's names there (see `run_resolving_kustomer`) and a browser told
to resolve them there both reach it at real-shaped URLs. The API answers with the
Kustomer-shaped samples, checks the bearer key (or the session cookie the app pages set, as a
browser would send), sends rate-limit headers, and answers per-test overrides for error cases.
"""
import errno
import json
import os
import random
import re
import ssl
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.support.servers import Request, Response, ServerThread
from tests.support.viewer_process import ViewerProcess

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "kustomer-samples"

KEY = "kst-test-Zq8x2Lw9Pd4Rv7Tn3Yb6"  # the organisation's API key the stand-in accepts
BETA_KEY = "kst-beta-Hm5Wc8Kx2Qf9Ls4Vd7Ng"  # a second organisation's key, for hosts given it (`accept`)
SESSION = "sess-4f7b1c9e"  # the app's session cookie, for requests a browser makes
RATE_LIMIT = 1000  # requests per minute (the Enterprise plan)

ORGS = ("acme", "beta")
CUSTOMER_ID = "5f1a2b3c4d5e6f7a8b9c0d1e"
CONVERSATION_ID = "60aa11bb22cc33dd44ee55ff"
ORDER_CONVERSATION_ID = "60aa11bb22cc33dd44ee5600"  # a conversation whose custom.orderId names an order
ORDER_ID = "5826ab180fcc2514008b2a94"  # a kobject.order whose custom.itemsId names two items
ITEM_IDS = ("5af9ac1bd672767b2f0a9869", "5af9ac21deb0106530702456")
# A customer whose sensitive attributes Kustomer masks until an unmasking window is opened for them.
MASKED_CUSTOMER_ID = "5f1a2b3c4d5e6f7a8b9c0d2b"
SAMPLE_PATHS = {
    f"/v1/customers/{CUSTOMER_ID}": "customer.json",
    f"/v1/conversations/{CONVERSATION_ID}": "conversation.json",
    f"/v1/conversations/{CONVERSATION_ID}/messages": "conversation-messages.json",
    "/v1/klasses/orders/62bb00aa11cc22dd33ee44ff": "kobject-order.json",
    f"/v1/conversations/{ORDER_CONVERSATION_ID}": "conversation-with-order.json",
    f"/v1/klasses/order/{ORDER_ID}": "kobject-order-1059.json",
    **{f"/v1/klasses/item/{item}": f"kobject-item-{item}.json" for item in ITEM_IDS},
    "/v1/metadata/customer": "metadata-customer.json",
    "/v1/metadata/conversation": "metadata-conversation.json",
    "/v1/metadata/kobject.order": "metadata-kobject.order.json",
    "/v1/metadata/kobject.item": "metadata-kobject.item.json",
    f"/v1/customers/{CUSTOMER_ID}/klasses/order": "customer-klasses-order.json",
}
JSON = "application/json; charset=utf-8"
# A name that resolves to a loopback address where nothing listens: a refused connection.
CLOSED_HOST = "closed.api.kustomerapp.com"
CLOSED_ADDRESS = "127.0.0.2"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def customers_page(page: int) -> bytes:
    """Page 1, 2 or 3 of a 6-customer list of 2 per page; page 2 is the shared sample, byte for byte."""
    if page == 2:
        return sample("customers-page-2.json")
    data = json.loads(sample("customers-page-2.json"))
    link = "/v1/customers?page={}&pageSize=2".format
    data["meta"]["page"] = page
    data["links"].update(self=link(page), prev=link(page - 1) if page > 1 else None,
                         next=link(page + 1) if page < 3 else None)
    names = {1: ("Alan Example", "Barbara Example"), 3: ("Edsger Example", "Frances Example")}[page]
    for n, (item, name) in enumerate(zip(data["data"], names)):
        item["id"] = f"5f1a2b3c4d5e6f7a8b9c0d{page}{n}"
        item["attributes"] = {"name": name, "emails": [{"email": f"{name.split()[0].lower()}@example.org"}]}
        item["links"]["self"] = f"/v1/customers/{item['id']}"
    return json.dumps(data, indent=2).encode()


def user(n: int) -> dict:
    return {"type": "user", "id": f"64{n:022x}",
            "attributes": {"displayName": f"Agent {n}", "roleGroups": ["support"], "capacity": n % 7 + 0.5},
            "relationships": {"team": {"data": {"type": "team", "id": f"team-{n % 3}"}}},
            "links": {"self": f"/v1/users/64{n:022x}"}}


def users_page(page: int, size: int, total: int) -> bytes:
    """Page `page` of `total` agents, `size` a page, with the teams of its users (repeated across pages)."""
    pages = max(1, -(-total // size))
    items = [user(n) for n in range((page - 1) * size, min(total, page * size))]
    link = f"/v1/users?page={{}}&pageSize={size}".format
    teams = sorted({item["relationships"]["team"]["data"]["id"] for item in items})
    data = {"data": items,
            "included": [{"type": "team", "id": team, "attributes": {"name": f"Team {team[-1]}"}} for team in teams],
            "meta": {"page": page, "pageSize": size, "total": total, "totalPages": pages},
            "links": {"self": link(page), "first": link(1), "prev": link(page - 1) if page > 1 else None,
                      "next": link(page + 1) if page < pages else None}}
    return json.dumps(data, indent=1).encode()



# The sensitive values of the samples (by the metadata the stand-in serves) and the masks the viewer shows
# for them: the masked rendition that /raw answers while a document is masked.
MASKED_TOKENS = [
    (rb'"(?:Jenny Jennings|Jenny|Jennings|shop-8675309|1984-03-09T00:00:00\.000Z|GB29NWBK60161331926819'
     rb'|12 Example Street, Springfield|[A-Z][a-z]+ Example)"|\b90071992547409931\b', b'"********"'),
    (rb'"[a-z.]+@example\.(com|org|net)"', rb'"*******.\1"'),
    (rb'"\+15558675309"', b'"*******5309"'),
]


def masked(body: bytes) -> bytes:
    """A sample as the viewer serves it while masked, by the stand-in's metadata (as it is, when nothing is)."""
    for pattern, mask in MASKED_TOKENS:
        body = re.sub(pattern, mask, body)
    return body

# Answers a test can give instead of the samples (`standin.override(path, ...)`).
def error_json(status: int, name: str) -> Response:
    return Response(status, sample(name), {"Content-Type": JSON})


def wrong_pod() -> Response:
    return error_json(401, "error-401-wrong-pod.json")


def forbidden() -> Response:
    return error_json(403, "error-jsonapi-403.json")


def bad_request() -> Response:
    return error_json(400, "error-bad-request.json")


def rate_limited(retry_after: int = 30) -> Response:
    body = {"errors": [{"code": "rate_limit_exceeded", "message": "Rate limit exceeded. Try again later."}]}
    return Response(429, json.dumps(body), {"Content-Type": JSON, "Retry-After": str(retry_after),
                                             "x-ratelimit-remaining": "0"})


def server_error(status: int = 503) -> Response:
    return Response(status, "<html><head><title>503 Service Temporarily Unavailable</title></head>"
                            "<body><h1>Service Temporarily Unavailable</h1></body></html>",
                    {"Content-Type": "text/html"})


def redirect(location: str, status: int = 302) -> Response:
    return Response(status, b"", {"Location": location})


def html_page() -> Response:
    return Response(200, "<!doctype html><title>Kustomer</title><p>Please sign in.", {"Content-Type": "text/html"})


def slow(seconds: float, then: Response) -> callable:
    def answer(_request):
        time.sleep(seconds)
        return then
    return answer


class KustomerStandIn(ServerThread):
    """The stand-in server; use as a context manager. `.address` is its loopback address, port 443."""

    def __init__(self, ssl_context: ssl.SSLContext, orgs=ORGS, key: str = KEY):
        self.orgs, self.key = tuple(orgs), key
        self.overrides: dict = {}
        self.requests: list[Request] = []
        self.remaining = RATE_LIMIT
        self.unmasked_customers: set = set()
        self.host_keys: dict = {}  # host -> the only key it accepts (others accept `key`)
        self.bearers: dict = {}  # host -> every bearer key it was sent, in order
        self.users_total = 250
        self.window = None  # (limit, seconds): requests a window allows, enforced with 429
        self.window_counts: dict = {}
        self._serve(_bind_random_loopback(self._handler_class()), ssl_context)
        self.address, self.port = self.httpd.server_address[:2]

    @property
    def hostnames(self) -> list[str]:
        names = ["kustomerapp.com", "api.kustomerapp.com", "api.prod2.kustomerapp.com"]
        for org in self.orgs:
            names += [f"{org}.kustomerapp.com", f"{org}.api.kustomerapp.com", f"{org}.api.prod2.kustomerapp.com"]
        return names

    def write_hosts_file(self, path: Path) -> Path:
        """A copy of the system's hosts file with Kustomer's names sent to this server."""
        system = Path("/etc/hosts").read_text()
        mapped = "".join(f"{self.address} {name}\n" for name in self.hostnames)
        path.write_text(system.rstrip("\n") + "\n" + mapped + f"{CLOSED_ADDRESS} {CLOSED_HOST}\n")
        return path

    def override(self, path: str, answer):
        """Answer `path` (with its query, or without to match any query) with a Response or a callable."""
        self.overrides[path] = answer if callable(answer) else (lambda _request: answer)

    def reset(self):
        self.overrides.clear()
        self.requests.clear()
        self.remaining = RATE_LIMIT
        self.unmasked_customers.clear()
        self.host_keys.clear()
        self.bearers.clear()
        self.users_total = 250
        self.window = None
        self.window_counts.clear()

    def accept(self, host: str, key: str):
        """`host` accepts `key` only, as another organisation's host would."""
        self.host_keys[host] = key

    def limit_rate(self, limit: int, seconds: int):
        """Allow `limit` API requests in each window of `seconds` (windows start at multiples of it in epoch
        time), saying so in the rate-limit headers; a request beyond it is answered 429 with Retry-After."""
        self.window = (limit, seconds)
        self.window_counts.clear()

    def api_requests(self, path: str | None = None) -> list[Request]:
        return [r for r in self.requests if ".api." in r.host or r.host.startswith("api.")
                if path is None or r.path.split("?", 1)[0] == path]

    def answer(self, request: Request) -> Response:
        host = request.host.split(":", 1)[0].lower()
        if not (host.startswith("api.") or ".api." in host):
            return self.app_page(request)
        override = self.overrides.get(request.path) or self.overrides.get(request.path.split("?", 1)[0])
        bearer = request.headers.get("Authorization", "")
        self.bearers.setdefault(host, []).append(bearer.removeprefix("Bearer "))
        if self.window:
            return self.in_window(request, override)
        if not self.authorised(request):
            response = Response(401, json.dumps({"errors": [{"code": "unauthorized", "message": "Unauthorized"}]}),
                                {"Content-Type": JSON})
        elif override:
            response = override(request)
        else:
            response = self.document(request)
        return self.with_rate_limit(response)

    def in_window(self, request: Request, override) -> Response:
        limit, seconds = self.window
        now = time.time()
        index = int(now // seconds)
        end = (index + 1) * seconds
        used = self.window_counts.get(index, 0)
        headers = {"x-ratelimit-limit": str(limit), "x-ratelimit-reset": str(end)}
        if used >= limit:
            request.limited = True
            response = rate_limited(max(1, int(end - now + 0.999)))
            return Response(429, response.body, {**response.headers, **headers, "x-ratelimit-remaining": "0"})
        self.window_counts[index] = used + 1
        if not self.authorised(request):
            response = Response(401, json.dumps({"errors": [{"code": "unauthorized", "message": "Unauthorized"}]}),
                                {"Content-Type": JSON})
        else:
            response = override(request) if override else self.document(request)
        return Response(response.status, response.body,
                        {**headers, "x-ratelimit-remaining": str(limit - used - 1), **response.headers})

    def authorised(self, request: Request) -> bool:
        auth = request.headers.get("Authorization", "")
        key = self.host_keys.get(request.host.split(":", 1)[0].lower(), self.key)
        return auth == f"Bearer {key}" or f"kustomer_session={SESSION}" in request.headers.get("Cookie", "")

    def document(self, request: Request) -> Response:
        parts = urlsplit(request.path)
        window = f"/v1/customers/{MASKED_CUSTOMER_ID}/unmasking-windows"
        if request.method == "POST" and parts.path == window:
            self.unmasked_customers.add(MASKED_CUSTOMER_ID)
            body = {"data": {"type": "unmasking_window", "id": "6a00aa11bb22cc33dd44ee01",
                             "attributes": {"customer": MASKED_CUSTOMER_ID, "durationHours": 24}}}
            return Response(201, json.dumps(body), {"Content-Type": JSON})
        if request.method == "DELETE" and parts.path == window:
            self.unmasked_customers.discard(MASKED_CUSTOMER_ID)
            return Response(204, b"", {})
        if parts.path == f"/v1/customers/{MASKED_CUSTOMER_ID}":
            unmasked = MASKED_CUSTOMER_ID in self.unmasked_customers
            name = "customer-unmasked-by-kustomer.json" if unmasked else "customer-masked-by-kustomer.json"
            return Response(200, sample(name), {"Content-Type": JSON})
        if parts.path in SAMPLE_PATHS:
            return Response(200, sample(SAMPLE_PATHS[parts.path]), {"Content-Type": JSON})
        if parts.path == "/v1/users":
            query = parse_qs(parts.query)
            page, size = int(query.get("page", ["1"])[0]), int(query.get("pageSize", ["100"])[0])
            return Response(200, users_page(page, size, self.users_total),
                            {"Content-Type": JSON, "x-request-id": f"req-users-{page}",
                             "Set-Cookie": f"kustomer_session={SESSION}; Path=/; Secure; HttpOnly"})
        if parts.path == "/v1/customers":
            page = parse_qs(parts.query).get("page", ["1"])[0]
            if page in ("1", "2", "3"):
                return Response(200, customers_page(int(page)), {"Content-Type": JSON})
        body = {"errors": [{"status": 404, "code": "not_found", "title": "Not Found",
                            "detail": f"No resource at {parts.path}"}]}
        return Response(404, json.dumps(body), {"Content-Type": JSON})

    def with_rate_limit(self, response: Response) -> Response:
        self.remaining = max(0, self.remaining - 1)
        headers = {"x-ratelimit-limit": str(RATE_LIMIT), "x-ratelimit-remaining": str(self.remaining),
                   "x-ratelimit-reset": str(int(time.time()) // 60 * 60 + 60), **response.headers}
        return Response(response.status, response.body, headers)

    def app_page(self, request: Request) -> Response:
        """A page of the web app; it sets the session cookie the API accepts from a browser."""
        path = request.path.replace("&", "&amp;").replace("<", "&lt;")
        return Response(200, f"<!doctype html><title>Kustomer</title><p>App page {path}",
                        {"Content-Type": "text/html; charset=utf-8",
                         "Set-Cookie": f"kustomer_session={SESSION}; Domain=kustomerapp.com; Path=/; Secure"})

    def _handler_class(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(self.command, self.headers.get("Host", ""), self.path,
                                  dict(self.headers.items()), self.rfile.read(length) if length else b"")
                request.at = time.time()
                request.limited = False
                standin.requests.append(request)
                response = standin.answer(request)
                body = response.body.encode() if isinstance(response.body, str) else response.body
                self.send_response(response.status)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_HEAD = do_POST = do_DELETE = do_GET

        return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that hangs up early (a timeout test, a refused certificate) is expected here


def _bind_random_loopback(handler) -> ThreadingHTTPServer:
    """Port 443 of an unused 127.x.y.z address, so parallel runs never clash."""
    for _ in range(50):
        address = f"127.{random.randint(1, 254)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
        try:
            httpd = _QuietServer((address, 443), handler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                continue
            raise
        return httpd
    raise RuntimeError("no free 127.x.y.z address for port 443")


def resolving_kustomer(hosts_file: Path, argv: list[str]) -> list[str]:
    """`argv` run with a private /etc/hosts (a new mount namespace): the system's is never touched."""
    return ["unshare", "--mount", "sh", "-c", 'mount --bind "$0" /etc/hosts && exec "$@"', str(hosts_file), *argv]


def viewer_process(hosts_file: Path, ca_file: Path, folder: Path, key: str | None = KEY, extra_args=()):
    """The real viewer in a child process whose Kustomer names reach the stand-in, trusting the test CA."""
    env = {k: v for k, v in os.environ.items() if k not in ("KUSTOMER_API_KEY", "SSL_CERT_FILE")}
    env["SSL_CERT_FILE"] = str(ca_file)
    # The default key file is the test's own, never the user's.
    env["XDG_CONFIG_HOME"] = str(Path(folder) / "config")
    if key is not None:
        env["KUSTOMER_API_KEY"] = key
    return ViewerProcess(folder, wrap=lambda argv: resolving_kustomer(hosts_file, argv), env=env,
                         extra_args=extra_args)
