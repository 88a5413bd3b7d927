#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""A git remote that stalls: it accepts connections on 127.0.0.1 and never finishes answering.
Usage: stall-remote.py PORT_FILE LOG_FILE MODE

Listens on a free port and writes it to PORT_FILE (atomically); appends one line per
accepted connection to LOG_FILE (its first request line, so a test can count the tries and
read what a client sent); then, by MODE:
  silent   sends nothing, ever
  trickle  answers git://'s receive-pack request with the first line of a ref advertisement
           and then nothing more (a transfer that stalls midway)
Connections stay open until the client closes them."""
import os, socket, sys, threading

port_file, log_file, mode = sys.argv[1], sys.argv[2], sys.argv[3]
lock = threading.Lock()


def pkt(line):
    return b"%04x" % (len(line) + 4) + line


def serve(conn):
    try:
        first = conn.recv(65536)
        with lock, open(log_file, "ab") as f:
            f.write(first.split(b"\n")[0][:200].replace(b"\0", b" ") + b"\n")
        if mode == "trickle":
            conn.sendall(pkt(b"%s refs/heads/production\0report-status delete-refs ofs-delta\n"
                             % (b"1" * 40)))
        while conn.recv(65536):
            pass
    except OSError:
        pass
    finally:
        conn.close()


s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
with open(port_file + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
os.rename(port_file + ".tmp", port_file)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
