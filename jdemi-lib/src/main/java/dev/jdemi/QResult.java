package dev.jdemi;

import java.net.InetSocketAddress;

/**
 * The result of a completed operation, as upstream's {@code demi_qresult_t}.
 *
 * <p>A {@code QResult} is a mutable holder that the {@code wait} calls fill, so a program can reuse one object for
 * every wait and allocate nothing. Which fields mean something depends on {@link #opcode()}:
 * <ul>
 *   <li>{@link Opcode#POP}: {@link #sga()} holds the received data, owned by the application (free it with
 *       {@link LibOS#sgaFree}); its length is 0 at end of stream. For UDP, {@link #addr()} is the sender.</li>
 *   <li>{@link Opcode#ACCEPT}: {@link #acceptedQd()} is the new connection, {@link #addr()} the peer.</li>
 *   <li>{@link Opcode#FAILED}: {@link #ret()} is the errno.</li>
 * </ul>
 */
public final class QResult {
    private Opcode opcode = Opcode.INVALID;
    private int qd = -1;
    private long qt;
    private int ret;
    private Sga sga;
    private int acceptedQd = -1;
    private long addr = SockAddr.NONE;

    /** Creates an empty result ({@link Opcode#INVALID}). */
    public QResult() {
    }

    /**
     * Fills the result; for LibOS implementations.
     *
     * @param opcode what completed
     * @param qd the queue the operation ran on
     * @param qt the operation's token
     * @param ret 0, or the errno of a failure
     * @param sga the popped data, or null
     * @param acceptedQd the accepted queue, or -1
     * @param addr the packed peer or source address, or {@link SockAddr#NONE}
     * @return this result
     */
    public QResult set(Opcode opcode, int qd, long qt, int ret, Sga sga, int acceptedQd, long addr) {
        this.opcode = opcode;
        this.qd = qd;
        this.qt = qt;
        this.ret = ret;
        this.sga = sga;
        this.acceptedQd = acceptedQd;
        this.addr = addr;
        return this;
    }

    /** {@return what completed, or {@link Opcode#FAILED}} */
    public Opcode opcode() {
        return opcode;
    }

    /** {@return the queue the operation ran on (for accept: the listening queue)} */
    public int qd() {
        return qd;
    }

    /** {@return the token of the operation} */
    public long qt() {
        return qt;
    }

    /** {@return 0 on success, else the errno of the failure} */
    public int ret() {
        return ret;
    }

    /** {@return the popped data (POP only), owned by the application} */
    public Sga sga() {
        return sga;
    }

    /** {@return the accepted connection's qd (ACCEPT only), else -1} */
    public int acceptedQd() {
        return acceptedQd;
    }

    /** {@return the packed peer (ACCEPT) or source (UDP POP) address, else {@link SockAddr#NONE}} */
    public long addr() {
        return addr;
    }

    /** {@return {@link #addr()} as a Java socket address, or null} */
    public InetSocketAddress address() {
        return SockAddr.toInet(addr);
    }

    /** {@return whether the operation failed} */
    public boolean failed() {
        return opcode == Opcode.FAILED;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("QResult[").append(opcode).append(" qd=").append(qd)
                .append(" qt=").append(Long.toUnsignedString(qt));
        if (opcode == Opcode.FAILED) {
            sb.append(" errno=").append(Errno.name(ret));
        }
        if (sga != null) {
            sb.append(" bytes=").append(sga.length());
        }
        if (acceptedQd >= 0) {
            sb.append(" acceptedQd=").append(acceptedQd);
        }
        if (addr != SockAddr.NONE) {
            sb.append(" addr=").append(SockAddr.toString(addr));
        }
        return sb.append(']').toString();
    }
}
