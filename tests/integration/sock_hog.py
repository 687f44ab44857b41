#!/usr/bin/env python3
"""sock_hog.py WHERE N SECONDS READY-FILE: holds up to N connections to
WHERE (a unix socket's path, or IP:PORT) open and idle (sending nothing) for SECONDS, opening a new
one whenever the server closes one; READY-FILE is written once N were open
together. Bounded in time; every connection is closed at exit."""
import os
import select
import socket
import sys
import time

where, n, secs, ready = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
if where.startswith("/"):
    family, addr = socket.AF_UNIX, where
else:
    host, port = where.rsplit(":", 1)
    family, addr = socket.AF_INET, (host, int(port))
held = []
end = time.monotonic() + secs
while time.monotonic() < end:
    if held:
        readable, _, _ = select.select(held, [], [], 0)
        for s in readable:
            try:
                data = s.recv(64)
            except OSError:
                data = b""
            if not data:
                held.remove(s)
                s.close()
    while len(held) < n:
        s = socket.socket(family, socket.SOCK_STREAM)
        s.settimeout(0.5)
        try:
            s.connect(addr)
        except OSError:
            s.close()
            break
        held.append(s)
    if len(held) == n and not os.path.exists(ready):
        with open(ready, "w") as f:
            f.write("%d\n" % n)
    time.sleep(0.05)
for s in held:
    s.close()
