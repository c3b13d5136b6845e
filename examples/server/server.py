#!/usr/bin/env python3
"""The small server of examples/server: on 127.0.0.1:PORT (default 8080) it answers
/health with `ok` and any other path with a line of JSON. Python 3.7 or later, no
packages."""
import http.server
import json
import os
import time

STARTED = time.time()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/health":
            body = b"ok\n"
            kind = "text/plain"
        else:
            body = json.dumps({"hello": "from the sink example server",
                               "up_seconds": round(time.time() - STARTED)}).encode() + b"\n"
            kind = "application/json"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    port = int(os.environ.get("PORT", "8080"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"listening on http://127.0.0.1:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
