package dev.jdemi;

/**
 * The value of {@link SocketOption#SO_LINGER}, as POSIX's {@code struct linger}.
 *
 * @param enabled whether close lingers
 * @param seconds how long close lingers, {@code >= 0}
 */
public record Linger(boolean enabled, int seconds) {
    /** Linger off: close returns at once and the system finishes sending in the background. */
    public static final Linger OFF = new Linger(false, 0);

    /**
     * Validates the fields.
     *
     * @throws DemiException EINVAL for a negative number of seconds
     */
    public Linger {
        if (seconds < 0) {
            throw new DemiException(Errno.EINVAL, "SO_LINGER: seconds must be >= 0, was " + seconds);
        }
    }
}
