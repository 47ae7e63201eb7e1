"""The Python sample app of Quayside's end-to-end tests: the standard library
only (http.server). It answers GET / on $PORT."""
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"Hello from the python sample (Python {sys.version.split()[0]})\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "8080"))
    print(f"python sample listening on :{port}")
    HTTPServer(("", port), Hello).serve_forever()
