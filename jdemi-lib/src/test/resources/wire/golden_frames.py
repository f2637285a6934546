#!/usr/bin/env python3
"""Helper for capture-golden-frames.sh: regenerates the frames in GoldenFrames.java.

Subcommands:
  offload-off IFACE   turn transmit/receive checksum offload off, so the kernel writes full checksums
  listen              (peer namespace) accept TCP on :80 and UDP on :53 for a few seconds
  traffic OUT         (host namespace) sniff IFACE va while making ARP, TCP, UDP, ICMP and SACK traffic; write
                      "<pkttype> <hex>" lines to OUT
  verify FILE         check every IPv4, ICMP, UDP and TCP checksum in FILE independently of jdemi
"""
import array
import fcntl
import socket
import struct
import sys
import threading
import time

SIOCETHTOOL = 0x8946
ETHTOOL_SRXCSUM, ETHTOOL_STXCSUM, ETHTOOL_SSG, ETHTOOL_STSO = 0x15, 0x17, 0x19, 0x1f
HOST, PEER = '10.0.2.15', '10.0.2.2'


def ones(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def checksum(data):
    return ~ones(data) & 0xffff


def offload_off(ifname):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for cmd in (ETHTOOL_STXCSUM, ETHTOOL_SRXCSUM, ETHTOOL_STSO, ETHTOOL_SSG):
        value = array.array('I', [cmd, 0])
        ifreq = struct.pack('16sP', ifname.encode(), value.buffer_info()[0]) + b'\0' * 16
        try:
            fcntl.ioctl(s, SIOCETHTOOL, ifreq)
        except OSError as e:
            print('ethtool cmd %#x on %s: %s' % (cmd, ifname, e), file=sys.stderr)


def listen():
    t = socket.socket()
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(('0.0.0.0', 80))
    t.listen()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(('0.0.0.0', 53))
    time.sleep(4)


def traffic(out):
    sniff = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    sniff.bind(('va', 0))
    sniff.settimeout(1.5)
    frames = []

    def run():
        try:
            while True:
                data, addr = sniff.recvfrom(65535)
                frames.append((addr[2], data))
        except socket.timeout:
            pass

    thread = threading.Thread(target=run)
    thread.start()

    # ARP, then the handshake.
    c = socket.create_connection((PEER, 80), timeout=2)
    time.sleep(0.2)
    # Out-of-order data after the handshake makes the peer send SACK blocks.
    last = [d for p, d in frames if p == socket.PACKET_OUTGOING and d[12:14] == b'\x08\x00' and d[23] == 6][-1]
    ip, tcp = last[14:34], last[34:]
    seq, ack = struct.unpack('!II', tcp[4:12])
    tsval, tsecr = struct.unpack('!II', tcp[24:32])
    raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    raw.bind(('va', 0))
    for n, (ahead, ident) in enumerate(((1000, 0x1111), (3000, 0x1112))):
        payload = bytes((i * 7 + ahead) & 0xff for i in range(100))
        th = struct.pack('!HHIIBBHHH', struct.unpack('!H', tcp[0:2])[0], 80, (seq + ahead) & 0xffffffff, ack,
                         0x80, 0x18, 502, 0, 0) + bytes([1, 1, 8, 10]) + struct.pack('!II', tsval + n + 1, tsecr)
        pseudo = ip[12:20] + struct.pack('!BBH', 0, 6, len(th) + len(payload))
        th = th[:16] + struct.pack('!H', checksum(pseudo + th + payload)) + th[18:]
        iph = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(th) + len(payload), ident, 0x4000, 64, 6, 0,
                          ip[12:16], ip[16:20])
        iph = iph[:10] + struct.pack('!H', checksum(iph)) + iph[12:]
        raw.send(last[0:14] + iph + th + payload)
        time.sleep(0.05)
    c.close()
    time.sleep(0.1)

    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((HOST, 41234))
    u.sendto(b'jdemi wire golden datagram\n', (PEER, 53))
    time.sleep(0.1)
    # NOP, then Record Route with two slots; the kernel records its own address in the first.
    r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    r.setsockopt(socket.IPPROTO_IP, socket.IP_OPTIONS, bytes([1, 7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0]))
    r.bind((HOST, 41235))
    r.sendto(b'rr', (PEER, 53))
    time.sleep(0.1)
    # An echo request laid out as ping does: a 16-byte timeval, then bytes 0x10..0x37.
    icmp = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    payload = struct.pack('<QQ', 1764000000, 123456) + bytes(range(0x10, 0x38))
    header = struct.pack('!BBHHH', 8, 0, 0, 0x1c2b, 1)
    icmp.sendto(header[:2] + struct.pack('!H', checksum(header + payload)) + header[4:] + payload, (PEER, 0))
    thread.join()
    with open(out, 'w') as f:
        for pkttype, data in frames:
            f.write('%d %s\n' % (pkttype, data.hex()))


def verify(path):
    bad = 0
    for line in open(path):
        pkttype, text = line.split()
        d = bytes.fromhex(text)
        if d[12:14] != b'\x08\x00':
            continue
        ihl = (d[14] & 15) * 4
        total = struct.unpack('!H', d[16:18])[0]
        header, payload, proto = d[14:14 + ihl], d[14 + ihl:14 + total], d[23]
        sums = [ones(header)]
        if proto in (6, 17):
            sums.append(ones(header[12:20] + struct.pack('!BBH', 0, proto, len(payload)) + payload))
        elif proto == 1:
            sums.append(ones(payload))
        ok = all(s == 0xffff for s in sums)
        bad += not ok
        print('ok ' if ok else 'BAD', 'proto', proto, 'len', len(d))
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    command = sys.argv[1]
    if command == 'offload-off':
        offload_off(sys.argv[2])
    elif command == 'listen':
        listen()
    elif command == 'traffic':
        traffic(sys.argv[2])
    elif command == 'verify':
        verify(sys.argv[2])
    else:
        sys.exit(__doc__)
