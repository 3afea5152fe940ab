"""A local HTTP server that plays the paid providers badly on purpose (the fault suite's fake).

It speaks the Anthropic messages API (profiles and reports) and Voyage's embeddings API well enough,
and before answering normally it serves the faults queued in `faults`, one per request:

* an HTTP status (408, 429, 500, 401, ...), empty body;
* "non_json": a 200 whose body is HTML; "truncated": a 200 whose body stops before its
  content-length; "reset": the connection closed without an answer; "usage_null": a valid answer
  with `"usage": null`; "max_tokens": an answer cut at max_tokens (stop_reason max_tokens).

Real sockets and real clients (urllib, voyageai): nothing of the HTTP path is mocked. The normal
answers reuse the shapes of the existing fakes (pytests/fans/fake_llm_server.py).
"""

from __future__ import annotations

import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def profile_answer(user: str) -> dict:
    items = json.loads(re.search(r"<fan_data>\n(.*)\n</fan_data>", user, re.S).group(1))
    profiles = [
        {
            "fan_model_key": item["fan_model_key"],
            "age": 30,
            "relationship_status": None,
            "job": "fault-job",
            **{f: [] for f in ("hobbies", "location_hints", "life_events", "personality_traits",
                               "emotional_needs", "purchase_motivations")},
        }
        for item in items
    ]  # fmt: skip
    return {"profiles": profiles}


class FaultServer:
    def __init__(self):
        self.faults: list = []
        self.requests: list[dict] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address
        return f"http://{host}:{port}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _send(self, status: int, data: bytes, length: int | None = None, ctype="application/json"):
                self.send_response(status)
                self.send_header("content-type", ctype)
                self.send_header("content-length", str(len(data) if length is None else length))
                self.send_header("connection", "close")
                self.end_headers()
                self.wfile.write(data)
                self.wfile.flush()
                self.close_connection = True

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                fake.requests.append({"path": self.path, "body": body})
                fault = fake.faults.pop(0) if fake.faults else None
                if isinstance(fault, int):
                    self._send(fault, b"{}")
                    return
                if fault == "reset":
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                    )
                    self.connection.close()
                    self.close_connection = True
                    return
                if fault == "non_json":
                    self._send(200, b"<html>502 Bad Gateway</html>", ctype="text/html")
                    return
                if self.path.endswith("/embeddings"):
                    n = len(body["input"])
                    answer = {
                        "object": "list",
                        "data": [
                            {"object": "embedding", "embedding": [0.6, 0.8, 0.0], "index": i}
                            for i in range(n)
                        ],
                        "model": body.get("model"),
                        "usage": {"total_tokens": 3 * n},
                    }
                else:
                    user = body["messages"][-1]["content"]
                    text = json.dumps(profile_answer(user)) if "<fan_data>" in user else "a report"
                    answer = {
                        "content": [{"type": "text", "text": text}],
                        "stop_reason": "end_turn",
                        "usage": {"input_tokens": 100, "output_tokens": 50},
                    }
                if fault == "usage_null":
                    answer["usage"] = None
                if fault == "max_tokens":
                    answer["content"][0]["text"] = answer["content"][0]["text"][:20]
                    answer["stop_reason"] = "max_tokens"
                data = json.dumps(answer).encode()
                if fault == "truncated":
                    self._send(200, data[: len(data) // 2], length=len(data))
                    return
                self._send(200, data)

        return Handler
