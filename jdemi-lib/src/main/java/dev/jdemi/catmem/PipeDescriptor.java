package dev.jdemi.catmem;

/**
 * The layout of a catmem pipe: one POSIX shared-memory object, {@code /dev/shm/jdemi-catmem-<name>}, holding a small
 * header and two rings ({@link RingDescriptor}), one per direction.
 *
 * <pre>
 *   0    int MAGIC ("JDCM"), stored with release once the creator initialised the rest
 *   4    int VERSION
 *   8    int ring capacity (bytes of data per ring, a power of two)
 *   12   int role of the pipe's owner: ROLE_PIPE, or catloop's ROLE_BOUND / ROLE_LISTENING (release)
 *   128  ring 0: the creator produces, the opener consumes
 *   128 + RingDescriptor.totalLength(capacity)
 *        ring 1: the opener produces, the creator consumes
 * </pre>
 *
 * <p>Upstream used two objects per pipe, {@code demikernel-<name>:tx} and {@code :rx}, of 64 KiB each; one object
 * halves the system calls and keeps both directions' lifetimes together. The layout is not upstream's, so jdemi and
 * upstream processes cannot share a pipe (recorded in {@code docs/compatibility.md}).
 */
public final class PipeDescriptor {
    /** "JDCM" in ASCII, little-endian. */
    public static final int MAGIC = 0x4d43444a;
    /** This layout's version. */
    public static final int VERSION = 1;
    /** Offset of {@link #MAGIC}. */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the version. */
    public static final int VERSION_OFFSET = 4;
    /** Offset of the ring capacity. */
    public static final int CAPACITY_OFFSET = 8;
    /** Offset of the owner's role. */
    public static final int ROLE_OFFSET = 12;
    /** The header's length; ring 0 starts here. */
    public static final int HEADER_LENGTH = 128;
    /** Role: a plain catmem pipe. */
    public static final int ROLE_PIPE = 0;
    /** Role: a catloop socket's address, bound or connected; connecting to it is refused. */
    public static final int ROLE_BOUND = 1;
    /** Role: a catloop listener; ring 1 is its accept queue, written by connecting processes under the lock. */
    public static final int ROLE_LISTENING = 2;
    /** The default data capacity of each ring: four 64 KiB messages fit. */
    public static final int DEFAULT_RING_CAPACITY = 256 * 1024;
    /** The prefix of the shared-memory object's name. */
    public static final String OBJECT_PREFIX = "/jdemi-catmem-";

    private PipeDescriptor() {
    }

    /**
     * Returns the size of a pipe's object.
     *
     * @param capacity the capacity of each ring
     * @return the bytes
     */
    public static long totalLength(int capacity) {
        return HEADER_LENGTH + 2 * RingDescriptor.totalLength(capacity);
    }

    /**
     * Returns where a ring starts.
     *
     * @param ring 0 or 1
     * @param capacity the capacity of each ring
     * @return its offset in the object
     */
    public static long ringOffset(int ring, int capacity) {
        return HEADER_LENGTH + ring * RingDescriptor.totalLength(capacity);
    }
}
