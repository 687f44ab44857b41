#!/usr/bin/python3
"""Hand-made DHCP packets for test_dhcp.sh (test networks only).

  dhcp_forge.py request IFACE SERVER XID...
      one DHCPREQUEST per xid (hex), as a client in SELECTING sends it:
      broadcast from 0.0.0.0 on IFACE's packet socket, chaddr = IFACE's
      address, option 54 = SERVER.
  dhcp_forge.py relayed DST CHADDR SERVER XID...
      the same DHCPREQUEST with the given chaddr, sent on a UDP socket from
      port 68 to DST:67 (a LAN host behind a router, speaking as the
      router's WAN interface).
  dhcp_forge.py ack SRC DST CHADDR SERVER YIADDR XID:PROXY...
      one DHCPACK per XID:PROXY (sub-option 128 of Option 43), lease 60 s,
      sent from SRC:67 to DST:68 on a raw socket (so SRC may be any
      address: a second server on the link, or a forger).
"""
import socket
import struct
import sys


def bootp(op, xid, chaddr, yiaddr, options):
    return (struct.pack("!BBBBIHH4s4s4s4s", op, 1, 6, 0, xid, 0, 0,
                        bytes(4), socket.inet_aton(yiaddr), bytes(4), bytes(4))
            + chaddr + bytes(10) + bytes(192) + b"\x63\x82\x53\x63" + options
            + b"\xff").ljust(300, b"\0")


def opt(code, value):
    return bytes([code, len(value)]) + value


def ipv4_udp(src, dst, sport, dport, payload):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    csum = sum(struct.unpack("!10H", hdr))
    csum = (csum & 0xffff) + (csum >> 16)
    csum = ~((csum & 0xffff) + (csum >> 16)) & 0xffff
    return hdr[:10] + struct.pack("!H", csum) + hdr[12:] + udp


def mac_of(iface):
    with open(f"/sys/class/net/{iface}/address") as f:
        return bytes.fromhex(f.read().strip().replace(":", ""))


def request(iface, server, xids):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0800))
    idx = socket.if_nametoindex(iface)
    for x in xids:
        msg = bootp(1, int(x, 16), mac_of(iface), "0.0.0.0",
                    opt(53, b"\x03") + opt(54, socket.inet_aton(server)))
        pkt = ipv4_udp("0.0.0.0", "255.255.255.255", 68, 67, msg)
        s.sendto(pkt, (iface, 0x0800, 0, 0, b"\xff" * 6))


def relayed(dst, chaddr, server, xids):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 68))
    for x in xids:
        s.sendto(bootp(1, int(x, 16), bytes.fromhex(chaddr.replace(":", "")),
                       "0.0.0.0",
                       opt(53, b"\x03") + opt(54, socket.inet_aton(server))),
                 (dst, 67))


def ack(src, dst, chaddr, server, yiaddr, pairs):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    for pair in pairs:
        x, proxy = pair.split(":", 1)
        p = proxy.encode()
        msg = bootp(2, int(x, 16), bytes.fromhex(chaddr.replace(":", "")), yiaddr,
                    opt(53, b"\x05") + opt(54, socket.inet_aton(server))
                    + opt(51, struct.pack("!I", 60))
                    + opt(43, bytes([128, len(p)]) + p))
        s.sendto(ipv4_udp(src, dst, 67, 68, msg), (dst, 0))


if __name__ == "__main__":
    if len(sys.argv) >= 5 and sys.argv[1] == "request":
        request(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif len(sys.argv) >= 6 and sys.argv[1] == "relayed":
        relayed(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
    elif len(sys.argv) >= 8 and sys.argv[1] == "ack":
        ack(*sys.argv[2:7], sys.argv[7:])
    else:
        sys.exit(__doc__)
