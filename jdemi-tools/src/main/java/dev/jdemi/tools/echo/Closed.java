package dev.jdemi.tools.echo;

import dev.jdemi.Errno;

/**
 * Which failures of an operation mean "the peer closed the connection", as upstream's tcp-echo counts them.
 */
final class Closed {
    private Closed() {
    }

    /** {@return whether a failed operation's errno means the connection is gone} */
    static boolean isClosedErrno(int errno) {
        return errno == Errno.ECONNRESET || errno == Errno.ENOTCONN || errno == Errno.ECANCELED
                || errno == Errno.EBADF || errno == Errno.EPIPE;
    }
}
