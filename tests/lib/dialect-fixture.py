#!/usr/bin/env python3
"""A Prometheus HTTP API for the metrics dialects no Debian server produces: UTF-8 names
(Prometheus 3), a proxy that refuses label look-ups, thousands of error_type values, two
spellings at once, look-alike names. It answers a KPI query with a value only when the
query uses the spelling of the mode's dialect, so a test sees which queries were sent.
Usage: dialect-fixture.py PORT_FILE MODE_FILE LOG_FILE (MODE_FILE holds one word)."""
import http.server, json, socketserver, sys, time, urllib.parse

port_file, mode_file, log_file = sys.argv[1:4]

SDK = ["gen_ai_client_operation_duration_bucket", "gen_ai_client_operation_duration_count",
       "gen_ai_client_operation_duration_sum", "gen_ai_client_token_usage_sum",
       "gen_ai_client_token_usage_count"]
COLLECTOR = [n.replace("duration_", "duration_seconds_") for n in SDK]
UTF8 = ["gen_ai.client.operation.duration_seconds_bucket",
        "gen_ai.client.operation.duration_seconds_count",
        "gen_ai.client.operation.duration_seconds_sum", "gen_ai.client.token.usage_sum",
        "gen_ai.client.token.usage_count"]
LABELS_PLAIN = ["__name__", "error_type", "gen_ai_request_model", "gen_ai_response_model",
                "gen_ai_operation_name", "le", "job"]
LABELS_DOTTED = ["__name__", "error.type", "gen_ai.request.model", "gen_ai.response.model",
                 "gen_ai.operation.name", "le", "job"]

MODES = {
    # names, labels, error values, the selector a right KPI query contains
    "utf8": (UTF8, LABELS_DOTTED, ["RateLimitError", "ContentFilterError"],
             '{"gen_ai.client.operation.duration_seconds_count"'),
    "refuse": (SDK, LABELS_PLAIN, ["RateLimitError", "InternalServerError"],
               "gen_ai_client_operation_duration_count"),
    "many": (SDK, LABELS_PLAIN, ["E%d" % i for i in range(5000)],
             "gen_ai_client_operation_duration_count"),
    "mixed": (SDK + COLLECTOR, LABELS_PLAIN, ["429"], "gen_ai_client_operation_duration_count"),
    "lookalike": (["gen_ai_client_operation_duration_seconds_created",
                   "gen_ai_client_operation_duration_milliseconds_count",
                   "my_gen_ai_client_operation_duration_count"], LABELS_PLAIN, [],
                  "never"),
}

def success(data):
    return {"status": "success", "data": data}

def vector(series):
    return success({"resultType": "vector", "result": [
        {"metric": m, "value": [time.time(), v]} for m, v in series]})

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, ctype="application/json"):
        body = (json.dumps(body) if isinstance(body, (dict, list)) else body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log(self, line):
        with open(log_file, "a") as f:
            f.write(line.replace("\n", " ") + "\n")

    def do_GET(self):
        mode = open(mode_file).read().strip()
        names, labels, errors, _ = MODES[mode]
        url = urllib.parse.urlparse(self.path)
        self.log("GET " + url.path + " " + urllib.parse.unquote(url.query))
        if mode == "refuse":
            self.send(403, "<html>forbidden by the proxy</html>", "text/html")
        elif url.path == "/api/v1/label/__name__/values":
            self.send(200, success(names))
        elif url.path == "/api/v1/labels":
            self.send(200, success(labels))
        elif url.path in ("/api/v1/label/error_type/values",
                          "/api/v1/label/U__error_2e_type/values"):
            self.send(200, success(errors))
        else:
            self.send(404, "404 page not found", "text/plain")

    def do_POST(self):
        mode = open(mode_file).read().strip()
        names, labels, errors, want = MODES[mode]
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        q = urllib.parse.parse_qs(body).get("query", [""])[0]
        self.log("POST " + self.path + " " + q)
        if q.startswith("count by (__name__)") and "gen_ai[._]client" in q:
            self.send(200, vector([({"__name__": n}, "3") for n in names]))
        elif q.startswith("count by (__name__)"):
            self.send(200, vector([({"__name__": n}, "3") for n in names if n in q]))
        elif q.startswith("count by (error_type)"):
            self.send(200, vector([({"error_type": e}, "1") for e in errors]))
        elif q.startswith("sum by (__name__)"):
            self.send(200, vector([({"__name__": n}, "3" if n in SDK else "0")
                                   for n in names if n.endswith("_count") and n in q]))
        elif self.path.endswith("query_range"):
            self.send(200, success({"resultType": "matrix", "result": []}))
        elif want in q:
            self.send(200, vector([({}, "2.5")]))
        else:
            self.send(200, vector([]))

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

srv = Server(("127.0.0.1", 0), Handler)
with open(port_file, "w") as f:
    f.write(str(srv.server_address[1]))
srv.serve_forever()
