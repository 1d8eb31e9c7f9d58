"""A stand-in teacher for rehearsals and tests: an OpenAI-compatible ``/chat/completions`` on localhost.

It answers in the judging format, alternating 1, 2, 1, … for repeated requests with the same prompt,
so the fidelity filter keeps a trace on the first or second try. Prompts containing ``refuse_marker``
never get a formatted answer (a pair the filter must drop), and with ``fail_first`` the very first
request gets a 503 (a retry the client must make). It never sees a label.

    python -m egt.data.local_teacher --port 8765      # serves until interrupted
"""

from __future__ import annotations

import argparse
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LocalTeacher(BaseHTTPRequestHandler):
    calls: dict[str, int] = {}
    requests: list[dict] = []
    failed_once = True
    refuse_marker = "NEVER"
    lock = threading.Lock()

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        cls = type(self)
        with cls.lock:
            cls.requests.append({"auth": self.headers.get("Authorization"), "path": self.path, "body": body})
            if not cls.failed_once:
                cls.failed_once = True
                self.send_response(503)
                self.end_headers()
                return
            content = body["messages"][0]["content"]
            text = next(block["text"] for block in content if block.get("type") == "text")
            key = hashlib.sha256(text.encode()).hexdigest()
            cls.calls[key] = cls.calls.get(key, 0) + 1
            answer = 2 - cls.calls[key] % 2
        reply = (
            "I would rather not say."
            if cls.refuse_marker in text
            else (f"<think>I compared both responses with the image.</think><answer>{answer}</answer>")
        )
        payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": reply}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def serve(port: int = 0, fail_first: bool = False) -> ThreadingHTTPServer:
    """Start the teacher in a background thread; its URL is ``http://127.0.0.1:<port>/v1``."""
    LocalTeacher.calls, LocalTeacher.requests, LocalTeacher.failed_once = {}, [], not fail_first
    server = ThreadingHTTPServer(("127.0.0.1", port), LocalTeacher)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    server = serve(parser.parse_args().port)
    print(f"local teacher at http://127.0.0.1:{server.server_address[1]}/v1", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
