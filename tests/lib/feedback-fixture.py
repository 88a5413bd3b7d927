#!/usr/bin/env python3
"""A loopback negative feedback feed (README "Negative feedback feed") that answers the way
the simulator never does: the reply depends on the file MODE_FILE (one word), so a test
switches it while it runs. Records each request's path and query in REQ_FILE.
Usage: feedback-fixture.py PORT_FILE MODE_FILE REQ_FILE."""
import http.server, json, socketserver, sys, time

port_file, mode_file, req_file = sys.argv[1:4]

def line(i, **kw):
    d = {"id": "f-%d" % i, "time": 1764680000 + i, "assistant": "support", "release": 3,
         "model": "gpt-4o-2024-08-06", "rating": "negative",
         "question": "Where is my parcel? Mail me at kim.bauer@example.net",
         "answer": "As an AI language model I cannot track parcels."}
    d.update(kw)
    return json.dumps(d)

MIXED = "\n".join([
    line(1),
    "{not json at all",
    line(2, extra={"nested": [1, 2]}, unknown_field="ignored"),
    json.dumps({"id": "f-x", "question": "no answer field"}),
    line(3, rating="positive"),
    "",
    line(4, answer="Call us on +49 171 1234567.\x1b[2J\x1b]0;pwned\x07 Card 4111 1111 1111 1111 \u202e"),
    line(5, release="7", question="multi\nline\r\nquestion", answer="first line\nsecond line"),
    "[1, 2, 3]",
]) + "\n"

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, ctype="application/x-ndjson", headers=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        with open(req_file, "a") as f:
            f.write(self.path + " " + self.headers.get("Authorization", "-") + "\n")
        mode = open(mode_file).read().strip()
        if mode == "mixed":
            self.send(200, MIXED)
        elif mode == "500":
            self.send(500, "upstream \x1b[31mexploded\x1b[0m\nsecond line", "text/plain")
        elif mode == "hang":
            time.sleep(30)
        elif mode == "huge":
            self.send(200, (line(1) + "\n") * 20000)
        elif mode == "many":
            self.send(200, "".join(line(i) + "\n" for i in range(1, 301)))
        elif mode == "redirect":
            self.send(302, "", "text/plain", [("Location", "http://127.0.0.1:1/elsewhere")])
        elif mode == "binary":
            self.send(200, bytes(range(256)) * 64, "application/octet-stream")
        elif mode == "garbage":
            self.send(200, "<html><body>Login required</body></html>\n", "text/html")
        elif mode == "empty":
            self.send(200, "")
        else:
            self.send(500, "unknown mode " + mode, "text/plain")

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass    # clients that hang up early (the daemon refusing 1 MiB) are expected

srv = Server(("127.0.0.1", 0), Handler)
with open(port_file, "w") as f:
    f.write(str(srv.server_address[1]))
srv.serve_forever()
