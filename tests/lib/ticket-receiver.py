#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""A loopback HTTP receiver standing in for Jira or a ticket webhook.
Usage: ticket-receiver.py PORT_FILE LOG_FILE MODE_FILE

Listens on 127.0.0.1 (a free port), writes the port to PORT_FILE (atomically), appends every
request to LOG_FILE as one JSON line {"method", "path", "headers", "body"}, and answers by
the word in MODE_FILE, read per request so a test switches it while it runs:
  jira     201 {"id", "key": "OPS-<n>", "self"}, after checking the request as Jira would
  slow M   as mode M, a second later
  webhook  200 {"key": "WH-<n>", "url": "https://tickets.example/WH-<n>"}
  500      500 with a text body
  429      429 with Retry-After: 1
  400      400 with a Jira error body
  401      401 echoing the Authorization header back, as a careless proxy might
  echo     400 {"error", "headers": every request header}, as a debugging endpoint might
  echokey  200 {"key", "url"} made of the X-Api-Key header's value
  hang     nothing for 30 s
  html     200 text/html
  big      200 with a 2 MiB JSON body"""
import http.server, json, os, socketserver, sys, threading, time

port_file, log_file, mode_file = sys.argv[1], sys.argv[2], sys.argv[3]
lock = threading.Lock()
counters = {"jira": 0, "webhook": 0}


def jira_problems(req):
    """What real Jira would refuse in a create-issue request: (errorMessages, errors)."""
    try:
        doc = json.loads(req)
    except ValueError as e:
        return ["Unexpected character in the JSON body: %s" % e], {}
    fields = doc.get("fields") if isinstance(doc, dict) else None
    if not isinstance(fields, dict):
        return ["Can not deserialize the issue: no \"fields\" object"], {}
    errors = {}
    project = fields.get("project")
    if not isinstance(project, dict) or not isinstance(project.get("key"), str) \
            or not project["key"]:
        errors["project"] = "Specify a valid project ID or key"
    summary = fields.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        errors["summary"] = "You must specify a summary of the issue."
    elif len(summary.encode("utf-16-le")) // 2 > 255:
        errors["summary"] = "Summary must be less than 255 characters."
    elif "\n" in summary or "\r" in summary:
        errors["summary"] = "The summary is invalid because it contains newline characters."
    itype = fields.get("issuetype")
    if not isinstance(itype, dict) or not isinstance(itype.get("name"), str) \
            or not itype["name"]:
        errors["issuetype"] = "Specify an issue type"
    desc = fields.get("description")
    if desc is not None and (not isinstance(desc, str) or
                             len(desc.encode("utf-16-le")) // 2 > 32767):
        errors["description"] = "The entered text is too long."
    if errors:
        return ["The issue could not be created: %d field(s) invalid" % len(errors)], errors
    return [], {}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, ctype="application/json", extra=()):
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = raw.decode("utf-8", errors="replace")
        entry = {"method": self.command, "path": self.path,
                 "headers": {k: v for k, v in self.headers.items()}, "body": body}
        with lock:
            with open(log_file, "a") as f:
                f.write(json.dumps(entry) + "\n")
        with open(mode_file) as f:
            mode = f.read().strip()
        if mode.startswith("slow "):
            time.sleep(1)
            mode = mode[len("slow "):]

        if mode == "jira":
            if self.command != "POST" or self.path != "/rest/api/2/issue":
                self.send(404, {"errorMessages": ["No resource at %s %s" %
                                                  (self.command, self.path)], "errors": {}})
                return
            if not self.headers.get("Content-Type", "").startswith("application/json"):
                self.send(415, {"errorMessages": ["Unsupported Media Type"], "errors": {}})
                return
            msgs, errors = jira_problems(raw)
            if msgs:
                self.send(400, {"errorMessages": msgs, "errors": errors})
                return
            with lock:
                counters["jira"] += 1
                n = counters["jira"]
            self.send(201, {"id": str(10000 + n), "key": "OPS-%d" % n,
                            "self": "http://127.0.0.1:%d/rest/api/2/issue/%d" %
                            (self.server.server_address[1], 10000 + n)})
        elif mode == "webhook":
            with lock:
                counters["webhook"] += 1
                n = counters["webhook"]
            self.send(200, {"key": "WH-%d" % n, "url": "https://tickets.example/WH-%d" % n})
        elif mode == "500":
            self.send(500, "internal error: database is down", "text/plain")
        elif mode == "429":
            self.send(429, "rate limited", "text/plain", [("Retry-After", "1")])
        elif mode == "400":
            self.send(400, {"errorMessages": ["Project 'NOPE' does not exist.",
                                              "Odd \x1b[31mred\x1b[0m text"],
                            "errors": {"issuetype": "The issue type selected is invalid."}})
        elif mode == "401":
            self.send(401, "Unauthorized: " + self.headers.get("Authorization", "(none)"),
                      "text/plain")
        elif mode == "echo":
            self.send(400, {"error": "bad request",
                            "headers": {k: v for k, v in self.headers.items()}})
        elif mode == "echokey":
            key = self.headers.get("X-Api-Key", "none")
            self.send(200, {"key": key, "url": "https://tickets.example/" + key})
        elif mode == "hang":
            time.sleep(30)
            self.close_connection = True
        elif mode == "html":
            self.send(200, "<html><body><h1>Please log in</h1></body></html>", "text/html")
        elif mode == "big":
            self.send(200, json.dumps({"key": "WH-0", "pad": "x" * (2 << 20)}))
        else:
            self.send(500, "unknown mode " + mode, "text/plain")

    do_POST = handle_any
    do_GET = handle_any
    do_PUT = handle_any


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass    # clients that give up (timeouts, refused big replies) are expected


srv = Server(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(port_file + ".tmp", port_file)
srv.serve_forever()
