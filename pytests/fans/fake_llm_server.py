"""A local HTTP server that speaks the Anthropic messages API well enough for the profile model.

It answers every fan it is sent with a valid profile (age from the fan's "I'm NN" message when
there is one), records each request, and can be told to fail the next requests with a status.
Real sockets, real urllib on the client side: no mocking of the HTTP path.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeAnthropic:
    def __init__(self):
        self.requests: list[dict] = []
        self.fail_with: list[int] = []  # statuses for the next requests, in order
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
            def log_message(self, *args):  # keep pytest output clean
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                fake.requests.append(
                    {"path": self.path, "api_key": self.headers.get("x-api-key"), "body": body}
                )
                if fake.fail_with:
                    self.send_response(fake.fail_with.pop(0))
                    self.end_headers()
                    return
                user = body["messages"][0]["content"]
                items = json.loads(re.search(r"<fan_data>\n(.*)\n</fan_data>", user, re.S).group(1))
                profiles = []
                for item in items:
                    ages = [int(m) for msg in item["messages"] for m in re.findall(r"I'm (\d\d)\b", msg)]
                    profiles.append(
                        {
                            "fan_model_key": item["fan_model_key"],
                            "age": ages[-1] if ages and 18 <= ages[-1] <= 99 else None,
                            "relationship_status": None,
                            "job": "llm-job",
                            "hobbies": [],
                            "location_hints": [],
                            "life_events": [],
                            "personality_traits": [],
                            "emotional_needs": [],
                            "purchase_motivations": [],
                        }
                    )
                answer = {
                    "content": [{"type": "text", "text": json.dumps({"profiles": profiles})}],
                    "usage": {"input_tokens": len(user) // 4, "output_tokens": 60 * len(profiles)},
                }
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
