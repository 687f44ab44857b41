#!/usr/bin/env python3
"""A TLS 1.3-only HTTPS origin built on Python's ssl module (it sends
session tickets after the handshake, which some proxies mishandle).

tls_origin.py ADDR PORT CERT KEY [BIGFILE]

GET /big answers with BIGFILE; any other path with one line naming the
host asked for, the path and the client address, like the lab's nginx:
  origin https://HOST/PATH from CLIENT
"""
import http.server
import os
import ssl
import sys

ADDR, PORT, CERT, KEY = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
BIG = sys.argv[5] if len(sys.argv) > 5 else None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.client_address[0], fmt % args))

    def do_GET(self):
        if self.path == "/big" and BIG:
            size = os.path.getsize(BIG)
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            with open(BIG, "rb") as f:
                while True:
                    chunk = f.read(1 << 16)
                    if not chunk:
                        break
                    self.wfile.write(chunk)
            return
        host = (self.headers.get("Host") or "").split(":")[0]
        body = ("origin https://%s%s from %s\n" % (host, self.path,
                self.client_address[0])).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.load_cert_chain(CERT, KEY)
srv = http.server.ThreadingHTTPServer((ADDR, PORT), Handler)
srv.daemon_threads = True
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
