#!/usr/bin/env python3
"""A loopback HTTP server answering /api/v1/query the way no real Prometheus does:
the reply depends on the file MODE_FILE (one word), so a test switches it while it runs.
Usage: prom-fixture.py PORT_FILE MODE_FILE. Writes the port it listens on to PORT_FILE."""
import http.server, json, socketserver, sys, time

port_file, mode_file = sys.argv[1], sys.argv[2]

def vector(value):
    return {"status": "success", "data": {"resultType": "vector",
            "result": [{"metric": {}, "value": [time.time(), value]}]}}

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, ctype="application/json"):
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        mode = open(mode_file).read().strip()
        if mode == "ok":
            self.send(200, vector("1.5"))
        elif mode == "nan":
            self.send(200, vector("NaN"))
        elif mode == "inf":
            self.send(200, vector("+Inf"))
        elif mode == "malformed":
            self.send(200, '{"status":"success","data":{"resultType":"vector","result":[{')
        elif mode == "error200":
            self.send(200, {"status": "error", "errorType": "execution",
                            "error": "query processing would load too many samples"})
        elif mode == "badquery":
            self.send(400, {"status": "error", "errorType": "bad_data",
                            "error": "parse error at char 5: unexpected \x1b[31mred"})
        elif mode == "html502":
            self.send(502, "<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")
        elif mode == "warnings":
            body = vector("2")
            body["warnings"] = ["partial response: store 3 unreachable"]
            self.send(200, body)
        elif mode == "empty":
            self.send(200, {"status": "success", "data": {"resultType": "vector", "result": []}})
        elif mode == "many":
            body = vector("1")
            body["data"]["result"] *= 3
            self.send(200, body)
        elif mode == "huge":
            self.send(200, HUGE)
        elif mode == "hang":
            time.sleep(30)
        else:
            self.send(500, "unknown mode " + mode, "text/plain")

# 20 MB of a valid vector, built once.
HUGE = json.dumps({"status": "success", "data": {"resultType": "vector", "result": [
    {"metric": {"i": str(i), "pad": "x" * 100}, "value": [1, "1"]} for i in range(150000)]}})

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass    # clients that hang up early (the daemon refusing 16 MiB) are expected

srv = Server(("127.0.0.1", 0), Handler)
with open(port_file, "w") as f:
    f.write(str(srv.server_address[1]))
srv.serve_forever()
