package dev.jdemi.inet.udp;

import dev.jdemi.SockAddr;
import dev.jdemi.runtime.DemiBuffer;
import dev.jdemi.runtime.OpList;

/** One UDP socket: its addresses, the datagrams waiting to be popped and the pops waiting for datagrams. */
final class UdpSocket {
    final int sd;
    int localIp;
    int localPort;
    long remote = SockAddr.NONE;
    Object linger;
    final OpList pops = new OpList();
    final DemiBuffer[] queue;
    final long[] queueFrom;
    int head;
    int size;

    UdpSocket(int sd, int queueDatagrams) {
        this.sd = sd;
        this.queue = new DemiBuffer[queueDatagrams];
        this.queueFrom = new long[queueDatagrams];
    }

    boolean isBound() {
        return localPort != 0;
    }
}
