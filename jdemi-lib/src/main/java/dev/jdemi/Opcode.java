package dev.jdemi;

/**
 * The kind of a completed operation, as in upstream's {@code demi_opcode_t}.
 */
public enum Opcode {
    /** Never produced by a completion; the value of an empty {@link QResult}. */
    INVALID(0),
    /** A push or pushTo completed. */
    PUSH(1),
    /** A pop completed; the result carries an SGA (zero length at end of stream). */
    POP(2),
    /** An accept completed; the result carries the new qd and the peer's address. */
    ACCEPT(3),
    /** A connect completed. */
    CONNECT(4),
    /** An asyncClose completed. */
    CLOSE(5),
    /** The operation failed; {@link QResult#ret()} holds the errno. */
    FAILED(6);

    private static final Opcode[] BY_CODE = values();

    private final int code;

    Opcode(int code) {
        this.code = code;
    }

    /** {@return the numeric value used by the C ABI} */
    public int code() {
        return code;
    }

    /**
     * Returns the opcode with a C ABI value.
     *
     * @param code the numeric value
     * @return the opcode
     * @throws DemiException EINVAL when no opcode has that value
     */
    public static Opcode of(int code) {
        if (code < 0 || code >= BY_CODE.length) {
            throw new DemiException(Errno.EINVAL, "no opcode has the value " + code);
        }
        return BY_CODE[code];
    }
}
