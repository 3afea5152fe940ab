"""A local HTTP server speaking the Anthropic messages API for the report LLM tests.

It answers every request with a valid report built from the page's facts (the <facts> JSON of the
user message), records each request, and can be told to fail the next requests with an HTTP
status, or to answer malformed text for given pages. Real sockets and real urllib on the client
side: nothing of the HTTP path is mocked.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECTIONS = ("**Tier and health.**", "**What the learning changed.**", "**The week's bets.**", "**Risks.**")


def good_report(facts: dict) -> str:
    body = "\n\n".join(f"{s}\nAbout page {facts['page_key']}: " + "facts only. " * 12 for s in SECTIONS)
    return f"# LLM report for {facts['page_key']}\n\n{body}"


class FakeReportLLM:
    def __init__(self):
        self.requests: list[dict] = []
        self.fail_with: list[int] = []  # statuses for the next requests, in order
        self.malformed_pages: set[str] = set()  # pages answered with prose instead of the JSON object
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address
        return f"http://{host}:{port}"

    def pages_sent(self) -> list[str]:
        return [r["page_key"] for r in self.requests]

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
                user = body["messages"][0]["content"]
                facts = json.loads(re.search(r"<facts>\n(.*)\n</facts>", user, re.S).group(1))
                fake.requests.append(
                    {"api_key": self.headers.get("x-api-key"), "page_key": facts["page_key"], "body": body}
                )
                if fake.fail_with:
                    self.send_response(fake.fail_with.pop(0))
                    self.end_headers()
                    return
                if facts["page_key"] in fake.malformed_pages:
                    text = "Sure! Here is the report: it is a fine week."
                else:
                    text = json.dumps({"report_markdown": good_report(facts)})
                data = json.dumps(
                    {
                        "content": [{"type": "text", "text": text}],
                        "usage": {"input_tokens": len(user) // 4, "output_tokens": 150},
                    }
                ).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
