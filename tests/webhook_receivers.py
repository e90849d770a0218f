"""HTTP endpoints on loopback that record the webhook deliveries they receive."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = tuple[int, dict[str, str], bytes]  # status, headers, body


class Receiver:
    """An HTTP endpoint that records every request; the first ``fail_first`` requests are
    processed but answered 500 (a lost acknowledgement), so they come again; the others get
    ``answer`` (status, headers, body). It listens on ``host`` (and ``port``, default any)."""

    def __init__(self, fail_first: int = 0, answer: Answer = (204, {}, b""),
                 host: str = "127.0.0.1", port: int = 0) -> None:
        self.fail_first = fail_first
        self.answer = answer
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.requests.append({"headers": dict(self.headers), "body": body})
                    reply = receiver.reply(len(receiver.requests))
                if reply is None:
                    return  # no answer
                status, headers, content = reply
                self.send_response(status)
                for name, value in {**headers, "Content-Length": str(len(content))}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://{host}:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def reply(self, count: int) -> Answer | None:
        """The answer to the ``count``-th request (None: none); called holding the lock."""
        return (500, {}, b"") if count <= self.fail_first else self.answer

    def unique(self) -> list[dict[str, Any]]:
        """The deliveries after deduplication by ``Diarium-Delivery-Id``, in arrival order."""
        seen: dict[str, dict[str, Any]] = {}
        with self.lock:
            for request in self.requests:
                seen.setdefault(request["headers"]["Diarium-Delivery-Id"],
                                json.loads(request["body"]))
        return list(seen.values())

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
