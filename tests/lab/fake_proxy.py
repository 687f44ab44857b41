#!/usr/bin/env python3
"""A misbehaving explicit proxy for the CONNECT fault tests.

fake_proxy.py ADDR PORT MODE LOGFILE

Reads one request header block per connection, logs its first line and
whether a Proxy-Authorization header came, then answers according to
MODE (read again from MODE if that is a file, so one process serves a
whole test):

  ok          200, then relays bytes to the CONNECT target (a tunnel)
  split:N     like ok, but the 200 reply is sent in two writes, cut at N
  403 | 407 | 502   that status, then close
  garbage     bytes that are no HTTP reply, then close
  oversize    a 200 status line followed by more than 8 KiB of headers
  close       close without a reply
  silent      no reply; hold the connection for 30 s

Every connection is served in its own thread and ends within 30 s.
"""
import os
import socket
import sys
import threading
import time

ADDR, PORT, MODE_ARG, LOGFILE = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
lock = threading.Lock()


def mode():
    if os.path.isfile(MODE_ARG):
        with open(MODE_ARG) as f:
            return f.read().strip()
    return MODE_ARG


def log(line):
    with lock, open(LOGFILE, "a") as f:
        f.write(line + "\n")


def relay(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve(c):
    c.settimeout(30)
    buf = b""
    while b"\r\n\r\n" not in buf and len(buf) < 65536:
        d = c.recv(4096)
        if not d:
            c.close()
            return
        buf += d
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    auth = any(l.lower().startswith(b"proxy-authorization:") for l in lines[1:])
    m = mode()
    log("%s %s auth=%s" % (m, lines[0].decode("latin-1"), "yes" if auth else "no"))
    try:
        if m == "ok" or m.startswith("split:"):
            target = lines[0].split(b" ")[1].decode()
            host, port = target.rsplit(":", 1)
            # From the proxy's own address: origins then name it.
            up = socket.create_connection((host, int(port)), timeout=10,
                                          source_address=(ADDR, 0))
            up.settimeout(30)
            reply = b"HTTP/1.1 200 Connection established\r\nVia: fake\r\n\r\n"
            if m.startswith("split:"):
                n = int(m.split(":")[1])
                c.sendall(reply[:n])
                time.sleep(0.05)
                c.sendall(reply[n:])
            else:
                c.sendall(reply)
            if rest:
                up.sendall(rest)
            t = threading.Thread(target=relay, args=(up, c), daemon=True)
            t.start()
            relay(c, up)
            t.join(30)
        elif m in ("403", "407", "502"):
            c.sendall(b"HTTP/1.1 " + m.encode() + b" Nope\r\nContent-Length: 0\r\n\r\n")
        elif m == "garbage":
            c.sendall(b"\x16\x03\x01 this is no HTTP reply\r\n\r\n")
        elif m == "oversize":
            c.sendall(b"HTTP/1.1 200 OK\r\n" + b"X-Pad: " + b"a" * 9000 + b"\r\n\r\n")
        elif m == "silent":
            time.sleep(30)
    except OSError as e:
        log("error %s" % e)
    c.close()


def main():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((ADDR, PORT))
    s.listen(64)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()


main()
