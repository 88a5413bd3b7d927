#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""A loopback HTTP receiver standing in for Slack, Teams and generic notification webhooks.
Usage: notify-receiver.py PORT_FILE LOG_FILE MODE_FILE

Listens on 127.0.0.1 (a free port), writes the port to PORT_FILE (atomically), appends every
request to LOG_FILE as one JSON line {"method", "path", "headers", "body"} (the body as the
exact bytes, latin-1 decoded, so a test compares them byte for byte), and answers by the word
in MODE_FILE, read per request:
  ok        200 "ok" (what Slack answers)
  redirect  302 to http://elsewhere.invalid/hook, which must not be followed
  500       500 with a text body that echoes the request path
  429       429 with Retry-After: 1
  400       400 "invalid_payload"
  hang      nothing for 30 s"""
import http.server, json, os, socketserver, sys, threading, time

port_file, log_file, mode_file = sys.argv[1], sys.argv[2], sys.argv[3]
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, extra=()):
        body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        entry = {"method": self.command, "path": self.path,
                 "headers": {k: v for k, v in self.headers.items()},
                 "body": raw.decode("latin-1")}
        with lock:
            with open(log_file, "a") as f:
                f.write(json.dumps(entry) + "\n")
        with open(mode_file) as f:
            mode = f.read().strip()
        if mode == "ok":
            self.send(200, "ok")
        elif mode == "redirect":
            self.send(302, "moved", [("Location", "http://elsewhere.invalid/hook")])
        elif mode == "500":
            self.send(500, "internal error at " + self.path)
        elif mode == "429":
            self.send(429, "rate limited", [("Retry-After", "1")])
        elif mode == "400":
            self.send(400, "invalid_payload")
        elif mode == "hang":
            time.sleep(30)
            self.close_connection = True
        else:
            self.send(500, "unknown mode " + mode)

    do_GET = do_POST


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass    # clients that give up (timeouts) are expected


srv = Server(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(port_file + ".tmp", port_file)
srv.serve_forever()
