package dev.jdemi;

import java.util.Locale;

/**
 * The LibOSes jdemi offers, by the names upstream uses in the {@code LIBOS} environment variable.
 */
public enum LibOSName {
    /** The kernel's sockets through FFM, driven by epoll. */
    CATNAP,
    /** The kernel's sockets through io_uring. */
    CATCOLLAR,
    /** jdemi's own TCP/IP stack over raw frames: AF_PACKET, AF_XDP, TAP, or the in-memory wire. */
    CATPOWDER,
    /** jdemi's own TCP/IP stack over DPDK. */
    CATNIP,
    /** Shared-memory pipes between processes. */
    CATMEM,
    /** Stream sockets between processes over catmem pipes. */
    CATLOOP;

    /** {@return the lower-case name, as written in {@code LIBOS} and on the command line} */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a LibOS name, ignoring case.
     *
     * @param text the name, such as {@code "catnap"}
     * @return the LibOS
     * @throws DemiException EINVAL naming the value and the accepted names when it is not a LibOS
     */
    public static LibOSName parse(String text) {
        if (text != null) {
            for (LibOSName name : values()) {
                if (name.id().equals(text.trim().toLowerCase(Locale.ROOT))) {
                    return name;
                }
            }
        }
        throw new DemiException(Errno.EINVAL, "LIBOS: '" + text + "' is not a LibOS; expected one of "
                + "catnap, catcollar, catpowder, catnip, catmem, catloop");
    }
}
