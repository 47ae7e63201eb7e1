"""The Python sample app with a vendored wheel of Quayside's end-to-end tests:
requirements.txt names quayside-greeting, which the buildpack installs from
vendor/wheels without network. It answers GET / on $PORT."""
import os
from http.server import BaseHTTPRequestHandler, HTTPServer

import quayside_greeting


class Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        body = (quayside_greeting.greet("python-wheel sample") + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "8080"))
    print(f"python-wheel sample listening on :{port}")
    HTTPServer(("", port), Hello).serve_forever()
