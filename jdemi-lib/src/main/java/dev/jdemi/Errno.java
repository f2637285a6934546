package dev.jdemi;

/**
 * Linux x86-64 errno values used by the Demikernel API, and their names.
 *
 * <p>jdemi reports errors with these positive numbers everywhere: in {@link DemiException#errno()}, in
 * {@link QResult#ret()} of a failed operation, and as the return value of the C ABI.
 */
public final class Errno {
    public static final int OK = 0;
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int EWOULDBLOCK = EAGAIN;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int EMFILE = 24;
    public static final int ENOSPC = 28;
    public static final int EPIPE = 32;
    public static final int ERANGE = 34;
    public static final int EDEADLK = 35;
    public static final int ENOSYS = 38;
    public static final int EBADMSG = 74;
    public static final int EMSGSIZE = 90;
    public static final int EDESTADDRREQ = 89;
    public static final int ENOPROTOOPT = 92;
    public static final int ENOTSUP = 95;
    public static final int EOPNOTSUPP = ENOTSUP;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETUNREACH = 101;
    public static final int ECONNABORTED = 103;
    public static final int ECONNRESET = 104;
    public static final int ENOBUFS = 105;
    public static final int EISCONN = 106;
    public static final int ENOTCONN = 107;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTUNREACH = 113;
    public static final int EALREADY = 114;
    public static final int EINPROGRESS = 115;
    public static final int ECANCELED = 125;
    public static final int ENODEV = 19;
    public static final int ENETDOWN = 100;

    private Errno() {
    }

    /**
     * Returns the symbolic name of an errno value.
     *
     * @param errno a positive errno value
     * @return the name, such as {@code "EBADF"}, or {@code "errno N"} for a value jdemi does not name
     */
    public static String name(int errno) {
        return switch (errno) {
            case OK -> "OK";
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case EINTR -> "EINTR";
            case EIO -> "EIO";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case EFAULT -> "EFAULT";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case EINVAL -> "EINVAL";
            case EMFILE -> "EMFILE";
            case ENOSPC -> "ENOSPC";
            case EPIPE -> "EPIPE";
            case ERANGE -> "ERANGE";
            case EDEADLK -> "EDEADLK";
            case ENOSYS -> "ENOSYS";
            case EBADMSG -> "EBADMSG";
            case EMSGSIZE -> "EMSGSIZE";
            case EDESTADDRREQ -> "EDESTADDRREQ";
            case ENOPROTOOPT -> "ENOPROTOOPT";
            case ENOTSUP -> "ENOTSUP";
            case EAFNOSUPPORT -> "EAFNOSUPPORT";
            case EADDRINUSE -> "EADDRINUSE";
            case EADDRNOTAVAIL -> "EADDRNOTAVAIL";
            case ENETUNREACH -> "ENETUNREACH";
            case ECONNABORTED -> "ECONNABORTED";
            case ECONNRESET -> "ECONNRESET";
            case ENOBUFS -> "ENOBUFS";
            case EISCONN -> "EISCONN";
            case ENOTCONN -> "ENOTCONN";
            case ETIMEDOUT -> "ETIMEDOUT";
            case ECONNREFUSED -> "ECONNREFUSED";
            case EHOSTUNREACH -> "EHOSTUNREACH";
            case EALREADY -> "EALREADY";
            case EINPROGRESS -> "EINPROGRESS";
            case ECANCELED -> "ECANCELED";
            case ENODEV -> "ENODEV";
            case ENETDOWN -> "ENETDOWN";
            default -> "errno " + errno;
        };
    }
}
