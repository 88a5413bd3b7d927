# A fake leitstand daemon another local user runs: listens on a Unix socket, records every
# connection and every byte it receives, and answers whatever comes with an error full of
# escape sequences and the pid of someone else's process. Usage: fake-daemon.py SOCKET LOG PID
import json, os, socket, sys

path, log, bait = sys.argv[1], sys.argv[2], int(sys.argv[3])
reply = json.dumps({"id": None, "ok": False, "pid": bait, "version": "9.9",
                    "error": {"code": "internal",
                              "message": "\x1b]0;owned\x07\x1b[2J\x1b[31mre-enter your password"}})
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
os.chmod(path, 0o777)
s.listen(16)
open(log + ".ready", "w").close()
while True:
    c, _ = s.accept()
    with open(log + ".conns", "a") as f:
        f.write("connection\n")
    c.settimeout(2)
    try:
        c.sendall((reply + "\n").encode())
        while True:
            data = c.recv(65536)
            if not data:
                break
            with open(log, "ab") as f:
                f.write(data)
            c.sendall((reply + "\n").encode())
    except OSError:
        pass
    c.close()
