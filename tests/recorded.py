"""A local HTTP server answering from recorded responses, standing in for an external API."""

from __future__ import annotations

import http.server
import threading
from urllib.parse import parse_qs, urlsplit


class RecordedServer:
    """Answers GET `path?<key>=value` with `answers[value]` (status, body); 404 otherwise."""

    def __init__(self, answers: dict[str, tuple[int, bytes]], key: str, path: str, content_type: str) -> None:
        self.answers = answers
        self.requests: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                value = parse_qs(urlsplit(self.path).query).get(key, [""])[0]
                status, body = server.answers.get(value, (404, b"no such recording"))
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)
