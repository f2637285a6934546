package dev.jdemi.tools.bench;

import dev.jdemi.LibOSName;
import dev.jdemi.WaitPolicy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Every peer {@code jdemi bench echo} knows: the built-in ones below, then those of each {@link EchoPeer.Provider}
 * on the class path. A jdemi LibOS that can echo over TCP on 127.0.0.1 adds one line here per wait policy; one that
 * needs another setting (catpowder over a veth pair, catmem's pipes against Agrona) adds a peer of its own.
 */
public final class EchoPeers {
    private EchoPeers() {
    }

    /** {@return every known peer, by id, in the order the bench runs them in its first round} */
    public static Map<String, EchoPeer> all() {
        Map<String, EchoPeer> peers = new LinkedHashMap<>();
        for (EchoPeer peer : builtIn()) {
            peers.put(peer.id(), peer);
        }
        for (EchoPeer.Provider provider : ServiceLoader.load(EchoPeer.Provider.class)) {
            for (EchoPeer peer : provider.peers()) {
                peers.putIfAbsent(peer.id(), peer);
            }
        }
        return peers;
    }

    private static List<EchoPeer> builtIn() {
        List<EchoPeer> peers = new ArrayList<>();
        peers.add(new NativeFloorPeer());
        peers.add(new JvmPeer("nio-spin", EchoPeer.Kind.JAVA,
                "JDK NIO, non-blocking SocketChannels polled in a loop on one thread", () -> null,
                () -> new NioEcho(true)));
        peers.add(new JvmPeer("nio-blocking", EchoPeer.Kind.JAVA,
                "JDK NIO, blocking SocketChannels, one thread per connection", () -> null,
                () -> new NioEcho(false)));
        peers.add(new JvmPeer("netty-epoll", EchoPeer.Kind.JAVA,
                "Netty 4.2 native epoll, one event loop, busy-wait select strategy",
                () -> NettyEcho.unavailableReason(NettyEcho.Native.EPOLL),
                () -> new NettyEcho(NettyEcho.Native.EPOLL)));
        peers.add(new JvmPeer("netty-io_uring", EchoPeer.Kind.JAVA,
                "Netty 4.2 native io_uring, one event loop (Netty offers no busy-wait for io_uring)",
                () -> NettyEcho.unavailableReason(NettyEcho.Native.IO_URING),
                () -> new NettyEcho(NettyEcho.Native.IO_URING)));
        peers.add(jdemi(LibOSName.CATNAP, WaitPolicy.SPIN));
        peers.add(jdemi(LibOSName.CATNAP, WaitPolicy.BLOCK));
        return peers;
    }

    /**
     * A jdemi LibOS over TCP on 127.0.0.1.
     *
     * @param name the LibOS
     * @param policy its wait policy
     * @return the peer, named like {@code catnap-spin}
     */
    public static EchoPeer jdemi(LibOSName name, WaitPolicy policy) {
        String mode = policy == WaitPolicy.SPIN ? "spin" : "block";
        return new JvmPeer(name.id() + "-" + mode, EchoPeer.Kind.JDEMI,
                "jdemi " + name.id() + ", wait policy " + policy, () -> null, () -> new JdemiEcho(name, policy));
    }
}
