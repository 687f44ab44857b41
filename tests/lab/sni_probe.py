"""Send one HTTPS request with an arbitrary SNI; print the status line.

Usage: python3 sni_probe.py ADDR SNI HOST
The SNI may hold bytes no real client sends (newline, "/", "@"): the
forwarder must refuse them, because the SNI becomes the URL authority.
Certificates are not verified: only the forwarder's answer matters here.
"""
import socket
import ssl
import sys


def main():
    addr, sni, host = sys.argv[1], sys.argv[2].encode().decode("unicode_escape"), sys.argv[3]
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection((addr, 443), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname=sni) as tls:
            tls.sendall(("GET /sni-probe HTTP/1.1\r\nHost: %s\r\n"
                         "Connection: close\r\n\r\n" % host).encode())
            print(tls.recv(200).split(b"\r\n")[0].decode())


if __name__ == "__main__":
    main()
