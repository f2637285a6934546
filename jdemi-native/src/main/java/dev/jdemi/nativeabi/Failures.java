package dev.jdemi.nativeabi;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;

/**
 * Turns whatever a call threw into the negative errno the C side returns, so nothing thrown ever leaves an upcall.
 *
 * <p>A {@link DemiException} is an ordinary error result: silent, unless {@code JDEMI_TRACE} is set in the
 * environment (then each failed call prints its message on stderr). Anything else is a jdemi bug or an exhausted
 * JVM: it is printed with its stack trace and becomes EIO (ENOMEM for an {@link OutOfMemoryError}).
 */
final class Failures {
    private static final boolean TRACE = isSet(System.getenv("JDEMI_TRACE"));

    private Failures() {
    }

    /**
     * Maps a failure of a C call to its result.
     *
     * @param call the C function's name, for the message
     * @param failure what the call threw
     * @return {@code -errno}
     */
    static int guard(String call, Throwable failure) {
        try {
            if (failure instanceof DemiException e) {
                if (TRACE) {
                    report(call, e);
                }
                return -e.errno();
            }
            int errno = failure instanceof OutOfMemoryError ? Errno.ENOMEM : Errno.EIO;
            System.err.println("jdemi: " + call + ": unexpected failure, returning " + Errno.name(errno) + ":");
            failure.printStackTrace();
            return -errno;
        } catch (Throwable again) {
            return -Errno.EIO;
        }
    }

    /**
     * Prints the message of a failed call on stderr.
     *
     * @param call the C function's name
     * @param e the failure
     */
    static void report(String call, DemiException e) {
        try {
            System.err.println("jdemi: " + call + ": " + e.getMessage());
        } catch (Throwable ignored) {
            // Nothing may leave an upcall, not even a failure to print.
        }
    }

    private static boolean isSet(String value) {
        return value != null && !value.isEmpty() && !value.equals("0");
    }
}
