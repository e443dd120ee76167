"""Real HTTP(S) servers on loopback, each in a thread, recording what they were asked."""
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Response:
    status: int = 200
    body: bytes | str = b""
    headers: dict = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})


@dataclass
class Request:
    method: str
    host: str
    path: str
    headers: dict
    body: bytes


# A route answers a Request with a Response; the default answers every GET with a small HTML page,
# which is all a bookmarklet needs to run "on" a real-shaped URL.
Route = Callable[[Request], Response]


def default_page(request: Request) -> Response:
    return Response(200, "<!doctype html><title>page</title><p>A page at " + request.path.replace("<", "&lt;"))


class ServerThread:
    """Runs `self.httpd` in a daemon thread for the length of a `with` block."""

    httpd: ThreadingHTTPServer

    def _serve(self, httpd: ThreadingHTTPServer, ssl_context: ssl.SSLContext | None):
        if ssl_context is not None:
            httpd.socket = ssl_context.wrap_socket(httpd.socket, server_side=True)
        self.httpd = httpd
        self.thread = threading.Thread(target=httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class LoopbackServer(ServerThread):
    """A threaded server on 127.0.0.1 (HTTPS when given a context) with routes by exact path."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None, port: int = 0):
        self.routes: dict[str, Route] = {}
        self.fallback: Route = default_page
        self.requests: list[Request] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(self.command, self.headers.get("Host", ""), self.path,
                                  dict(self.headers.items()), self.rfile.read(length) if length else b"")
                server.requests.append(request)
                path_only = self.path.split("?", 1)[0]
                route = server.routes.get(self.path) or server.routes.get(path_only) or server.fallback
                response = route(request)
                body = response.body.encode() if isinstance(response.body, str) else response.body
                self.send_response(response.status)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = _answer

        httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        httpd.daemon_threads = True
        self._serve(httpd, ssl_context)
        self.port = httpd.server_address[1]

    def route(self, path: str, response: Response | Route):
        self.routes[path] = response if callable(response) else (lambda _request: response)

    def requests_to(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path.split("?", 1)[0] == path]
