package dev.jdemi;

/**
 * A socket option that {@link LibOS#setSockOpt} and {@link LibOS#getSockOpt} accept.
 *
 * @param <T> the type of the option's value
 * @param name the POSIX name of the option
 * @param level the POSIX level ({@code SOL_SOCKET = 1} or {@code IPPROTO_TCP = 6})
 * @param optname the POSIX option number at that level
 * @param type the value's class
 */
public record SocketOption<T>(String name, int level, int optname, Class<T> type) {
    /** POSIX {@code SOL_SOCKET}. */
    public static final int SOL_SOCKET = 1;
    /** POSIX {@code IPPROTO_TCP}. */
    public static final int IPPROTO_TCP = 6;

    /** Lingering on close (POSIX {@code SO_LINGER}, level {@code SOL_SOCKET}, number 13). */
    public static final SocketOption<Linger> SO_LINGER = new SocketOption<>("SO_LINGER", SOL_SOCKET, 13, Linger.class);
    /** TCP keepalive probes (POSIX {@code SO_KEEPALIVE}, level {@code SOL_SOCKET}, number 9). */
    public static final SocketOption<Boolean> SO_KEEPALIVE =
            new SocketOption<>("SO_KEEPALIVE", SOL_SOCKET, 9, Boolean.class);
    /** Nagle's algorithm off (POSIX {@code TCP_NODELAY}, level {@code IPPROTO_TCP}, number 1). */
    public static final SocketOption<Boolean> TCP_NODELAY =
            new SocketOption<>("TCP_NODELAY", IPPROTO_TCP, 1, Boolean.class);

    /**
     * Finds the option with a POSIX level and number.
     *
     * @param level the level
     * @param optname the option number
     * @return the option
     * @throws DemiException ENOTSUP for an unknown level, ENOPROTOOPT for an unknown option at a known level
     */
    public static SocketOption<?> of(int level, int optname) {
        if (level != SOL_SOCKET && level != IPPROTO_TCP) {
            throw new DemiException(Errno.ENOTSUP, "socket option level " + level + " is not supported");
        }
        for (SocketOption<?> option : new SocketOption<?>[] {SO_LINGER, SO_KEEPALIVE, TCP_NODELAY}) {
            if (option.level == level && option.optname == optname) {
                return option;
            }
        }
        throw new DemiException(Errno.ENOPROTOOPT, "socket option " + optname + " at level " + level
                + " is not supported");
    }

    @Override
    public String toString() {
        return name;
    }
}
