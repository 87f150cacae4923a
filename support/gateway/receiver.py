"""The webhook receiver the suite runs: it records every POST with its raw body and headers.

It listens where the profile's `gateway.webhook_receiver` says (`http://host:port`, port 0 for any
free port), which must be an address the gateway can reach: loopback for the embedded gateway.
"""
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Delivery:
    path: str
    headers: dict
    body: bytes


class WebhookReceiver:
    def __init__(self, address):
        self.address = address
        self.deliveries = []
        self._server = None
        self._lock = threading.Lock()

    @property
    def url(self):
        self.start()
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        if self._server is not None:
            return
        parts = urlsplit(self.address)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    receiver.deliveries.append(Delivery(self.path, dict(self.headers), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer((parts.hostname, parts.port or 0), Handler)
        threading.Thread(target=self._server.serve_forever, name="webhook-receiver", daemon=True).start()

    def received(self, path):
        with self._lock:
            return [delivery for delivery in self.deliveries if delivery.path == path]

    def close(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
