"""A local stand-in for an SMS/WhatsApp gateway, for the tests: a threaded ``http.server`` that takes
``POST /messages`` with a bearer token, answers ``{"id": ...}``, can be told to be busy (503) for its
next requests, and signs delivery reports as the real one would."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from jaring.reminders.providers import SIGNATURE_HEADER, signature


class FakeGateway:
    def __init__(self, token: str = "rahasia-gateway"):
        self.token = token
        self.messages: list[dict] = []
        self.busy = 0  # how many of the next requests answer 503
        self.requests = 0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                gateway.requests += 1
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path != "/messages":
                    return self._answer(404, {"error": "not found"})
                if self.headers.get("Authorization") != f"Bearer {gateway.token}":
                    return self._answer(401, {"error": "bad token"})
                if gateway.busy > 0:
                    gateway.busy -= 1
                    return self._answer(503, {"error": "busy"})
                message = json.loads(body)
                message["id"] = f"gw-{len(gateway.messages) + 1}"
                gateway.messages.append(message)
                return self._answer(201, {"id": message["id"]})

            def _answer(self, status, data):
                payload = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def report(self, message_id: str, status: str = "delivered") -> tuple[bytes, dict]:
        """The body and headers of the delivery report the gateway would post for ``message_id``."""
        body = json.dumps({"id": message_id, "status": status}).encode()
        return body, {"HTTP_" + SIGNATURE_HEADER.upper().replace("-", "_"): signature(self.token, body)}
