"""A fake SMS gateway on 127.0.0.1 speaking the HttpGateway protocol; it counts sends per out_id."""

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class FakeGateway:
    def __init__(self, *, delay_s: float = 0.0):
        self.sends: Counter[str] = Counter()
        self.bodies: dict[str, str] = {}
        self.script: list[int] = []  # status codes to answer the next sends with (then 200)
        self.hang_s = 0.0  # answer sends this late (longer than the client timeout = a timeout)
        self.delay_s = delay_s
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.headers.get("Authorization") != "Bearer test-key":
                    return self._answer(401, {"error": "bad key"})
                with gateway.lock:
                    status = gateway.script.pop(0) if gateway.script else 200
                    if status == 200:
                        gateway.sends[payload["out_id"]] += 1
                        gateway.bodies[payload["out_id"]] = payload["text"]
                time.sleep(gateway.delay_s + gateway.hang_s)
                if status != 200:
                    return self._answer(status, {"error": "scripted"})
                return self._answer(200, {"message_id": "gw-" + payload["out_id"]})

            def do_GET(self):
                out_id = parse_qs(urlparse(self.path).query).get("out_id", [""])[0]
                with gateway.lock:
                    known = gateway.sends[out_id] > 0
                if not known:
                    return self._answer(404, {"error": "unknown out_id"})
                return self._answer(200, {"message_id": "gw-" + out_id})

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # clients that time out on purpose close their end; that is the test

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def settings(self) -> dict[str, str]:
        return {
            "SMS_BACKEND": "http",
            "SMS_HTTP_URL": f"{self.url}/send",
            "SMS_HTTP_QUERY_URL": f"{self.url}/query",
            "SMS_HTTP_API_KEY": "test-key",
        }

    def __enter__(self) -> "FakeGateway":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
