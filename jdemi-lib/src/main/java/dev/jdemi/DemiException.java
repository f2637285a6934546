package dev.jdemi;

/**
 * A synchronous API call failed, or the API was misused.
 *
 * <p>The exception carries the positive errno that the C ABI returns for the same failure. Asynchronous failures are
 * never thrown: they complete their queue token with {@link Opcode#FAILED} and the errno in {@link QResult#ret()}.
 */
public final class DemiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    /**
     * Creates an exception for an errno, with a message that says what failed.
     *
     * @param errno the positive errno value
     * @param message what failed, naming the argument, key or state at fault
     */
    public DemiException(int errno, String message) {
        super(Errno.name(errno) + ": " + message);
        this.errno = errno;
    }

    /**
     * Creates an exception for an errno with a cause.
     *
     * @param errno the positive errno value
     * @param message what failed
     * @param cause the underlying failure
     */
    public DemiException(int errno, String message, Throwable cause) {
        super(Errno.name(errno) + ": " + message, cause);
        this.errno = errno;
    }

    /** {@return the positive errno value of this failure} */
    public int errno() {
        return errno;
    }
}
