package dev.jdemi.nativeabi;

import static dev.jdemi.nativeabi.CStructs.ALL;
import static dev.jdemi.nativeabi.CStructs.INT;
import static dev.jdemi.nativeabi.CStructs.LONG;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.LibOS;
import dev.jdemi.Linger;
import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.Sga;
import dev.jdemi.SockAddr;
import dev.jdemi.SocketOption;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;

/**
 * The targets of the upcall stubs: one static method per {@code demi_*} function, with the signature listed in
 * {@code jdemi_abi.h}.
 *
 * <p>Contract of every method: C has already checked that the thread called {@code demi_init} and that the output
 * pointers it dereferences itself are not NULL; {@code ctx} is the thread's context. A method returns a value
 * {@code >= 0} or {@code -errno}, and never throws: a {@link DemiException} becomes its errno, anything else EIO (or
 * ENOMEM) with a message on stderr, because an exception that left an upcall would abort the JVM and the C program.
 * Pointers arrive as {@code long}s and are read and written through {@link CStructs#ALL}.
 */
final class CApi {
    private CApi() {
    }

    static int init() {
        try {
            LibOS libos;
            try {
                libos = LibOS.fromEnvironment();
            } catch (DemiException e) {
                Failures.report("demi_init", e);
                return -e.errno();
            }
            try {
                return Context.register(libos).id;
            } catch (RuntimeException | Error e) {
                libos.close();
                throw e;
            }
        } catch (Throwable t) {
            return Failures.guard("demi_init", t);
        }
    }

    static int createPipe(int ctx, long name) {
        try {
            return Context.of(ctx).libos.createPipe(ALL.getString(name));
        } catch (Throwable t) {
            return Failures.guard("demi_create_pipe", t);
        }
    }

    static int openPipe(int ctx, long name) {
        try {
            return Context.of(ctx).libos.openPipe(ALL.getString(name));
        } catch (Throwable t) {
            return Failures.guard("demi_open_pipe", t);
        }
    }

    static int socket(int ctx, int domain, int type, int protocol) {
        try {
            return Context.of(ctx).libos.socket(domain, type, protocol);
        } catch (Throwable t) {
            return Failures.guard("demi_socket", t);
        }
    }

    static int listen(int ctx, int qd, int backlog) {
        try {
            Context.of(ctx).libos.listen(qd, backlog);
            return 0;
        } catch (Throwable t) {
            return Failures.guard("demi_listen", t);
        }
    }

    static int bind(int ctx, int qd, long addr, long size) {
        try {
            Context.of(ctx).libos.bind(qd, sockaddr(addr, size));
            return 0;
        } catch (Throwable t) {
            return Failures.guard("demi_bind", t);
        }
    }

    static int accept(int ctx, long qtOut, int qd) {
        try {
            ALL.set(LONG, qtOut, Context.of(ctx).libos.accept(qd));
            return 0;
        } catch (Throwable t) {
            return Failures.guard("demi_accept", t);
        }
    }

    static int connect(int ctx, long qtOut, int qd, long addr, long size) {
        try {
            ALL.set(LONG, qtOut, Context.of(ctx).libos.connect(qd, sockaddr(addr, size)));
            return 0;
        } catch (Throwable t) {
            return Failures.guard("demi_connect", t);
        }
    }

    static int close(int ctx, int qd) {
        try {
            Context.of(ctx).libos.close(qd);
            return 0;
        } catch (Throwable t) {
            return Failures.guard("demi_close", t);
        }
    }

    static int push(int ctx, long qtOut, int qd, long sga) {
        try {
            ALL.set(LONG, qtOut, push(Context.of(ctx), qd, sga, false, SockAddr.NONE));
            return 0;
        } catch (Throwable t) {
            return Failures.guard("demi_push", t);
        }
    }

    static int pushTo(int ctx, long qtOut, int qd, long sga, long addr, long size) {
        try {
            Context c = Context.of(ctx);
            // Upstream parses the address before it looks at the SGA.
            long to = sockaddr(addr, size);
            ALL.set(LONG, qtOut, push(c, qd, sga, true, to));
            return 0;
        } catch (Throwable t) {
            return Failures.guard("demi_pushto", t);
        }
    }

    static int pop(int ctx, long qtOut, int qd) {
        try {
            ALL.set(LONG, qtOut, Context.of(ctx).libos.pop(qd));
            return 0;
        } catch (Throwable t) {
            return Failures.guard("demi_pop", t);
        }
    }

    static int waitFor(int ctx, long qr, long qt, long timeoutNs) {
        try {
            Context c = Context.of(ctx);
            if (!c.libos.wait(qt, c.result, timeoutNs)) {
                return -Errno.ETIMEDOUT;
            }
            writeResult(c, qr, c.result);
            return 0;
        } catch (Throwable t) {
            return Failures.guard("demi_wait", t);
        }
    }

    static int waitAny(int ctx, long qr, long qts, int count, long timeoutNs) {
        try {
            Context c = Context.of(ctx);
            long[] tokens = c.tokens(count);
            MemorySegment.copy(ALL, LONG, qts, tokens, 0, count);
            int index = c.libos.waitAny(tokens, count, c.result, timeoutNs);
            if (index < 0) {
                return -Errno.ETIMEDOUT;
            }
            writeResult(c, qr, c.result);
            return index;
        } catch (Throwable t) {
            return Failures.guard("demi_wait_any", t);
        }
    }

    static int waitNextN(int ctx, long qrs, int n, long timeoutNs) {
        try {
            Context c = Context.of(ctx);
            QResult[] results = c.results(n);
            int collected = c.libos.waitNextN(results, n, timeoutNs);
            for (int i = 0; i < collected; i++) {
                writeResult(c, qrs + i * CStructs.QR_SIZE, results[i]);
            }
            return collected;
        } catch (Throwable t) {
            return Failures.guard("demi_wait_next_n", t);
        }
    }

    static int sgaAlloc(int ctx, long size, long out) {
        try {
            Context c = Context.of(ctx);
            Sga sga = c.libos.sgaAlloc((int) size);
            long handle;
            try {
                handle = c.sgas.register(sga);
            } catch (RuntimeException e) {
                c.libos.sgaFree(sga);
                throw e;
            }
            writeSga(out, handle, sga, SockAddr.NONE);
            return 0;
        } catch (Throwable t) {
            return Failures.guard("demi_sgaalloc", t);
        }
    }

    static int sgaFree(int ctx, long sga) {
        try {
            Context c = Context.of(ctx);
            checkNumSegs(sga);
            int slot = c.sgas.slot(ALL.get(LONG, sga + CStructs.SGA_BUF));
            c.libos.sgaFree(c.sgas.release(slot));
            return 0;
        } catch (Throwable t) {
            return Failures.guard("demi_sgafree", t);
        }
    }

    static int setSockOpt(int ctx, int qd, int level, int optname, long optval, long optlen) {
        try {
            Context c = Context.of(ctx);
            SocketOption<?> option = SocketOption.of(level, optname);
            if (optval == 0) {
                throw new DemiException(Errno.EINVAL, "optval is NULL");
            }
            if (option == SocketOption.SO_LINGER) {
                if (optlen != CStructs.LINGER_SIZE) {
                    throw new DemiException(Errno.EINVAL, "SO_LINGER needs optlen 8 (struct linger), was " + optlen);
                }
                boolean on = ALL.get(INT, optval) != 0;
                Linger linger = on ? new Linger(true, ALL.get(INT, optval + 4)) : Linger.OFF;
                c.libos.setSockOpt(qd, SocketOption.SO_LINGER, linger);
            } else {
                if (optlen < CStructs.INT_SIZE) {
                    throw new DemiException(Errno.EINVAL, option + " needs optlen >= 4 (int), was " + optlen);
                }
                c.libos.setSockOpt(qd, booleanOption(option), ALL.get(INT, optval) != 0);
            }
            return 0;
        } catch (Throwable t) {
            return Failures.guard("demi_setsockopt", t);
        }
    }

    static int getSockOpt(int ctx, int qd, int level, int optname, long optval, long optlen) {
        try {
            Context c = Context.of(ctx);
            SocketOption<?> option = SocketOption.of(level, optname);
            if (optval == 0 || optlen == 0) {
                throw new DemiException(Errno.EINVAL, optval == 0 ? "optval is NULL" : "optlen is NULL");
            }
            int size = option == SocketOption.SO_LINGER ? CStructs.LINGER_SIZE : CStructs.INT_SIZE;
            long room = Integer.toUnsignedLong(ALL.get(INT, optlen));
            if (room < size) {
                throw new DemiException(Errno.EINVAL, option + " needs *optlen >= " + size + ", was " + room);
            }
            if (option == SocketOption.SO_LINGER) {
                Linger linger = c.libos.getSockOpt(qd, SocketOption.SO_LINGER);
                ALL.set(INT, optval, linger.enabled() ? 1 : 0);
                ALL.set(INT, optval + 4, linger.seconds());
            } else {
                ALL.set(INT, optval, c.libos.getSockOpt(qd, booleanOption(option)) ? 1 : 0);
            }
            ALL.set(INT, optlen, size);
            return 0;
        } catch (Throwable t) {
            return Failures.guard("demi_getsockopt", t);
        }
    }

    static int getPeerName(int ctx, int qd, long addr) {
        try {
            writeAddress(addr, Context.of(ctx).libos.getPeerName(qd));
            return 0;
        } catch (Throwable t) {
            return Failures.guard("demi_getpeername", t);
        }
    }

    static int getSockName(int ctx, int qd, long addr) {
        try {
            writeAddress(addr, Context.of(ctx).libos.getSockName(qd));
            return 0;
        } catch (Throwable t) {
            return Failures.guard("demi_getsockname", t);
        }
    }

    /** Parses a C {@code struct sockaddr} by upstream's rules; NULL gives EINVAL. */
    private static long sockaddr(long addr, long size) {
        MemorySegment memory = addr == 0 ? MemorySegment.NULL : MemorySegment.ofAddress(addr).reinterpret(size);
        return SockAddr.parse(memory, size);
    }

    private static void checkNumSegs(long sga) {
        int numSegs = ALL.get(INT, sga + CStructs.SGA_NUMSEGS);
        if (numSegs != 1) {
            throw new DemiException(Errno.EINVAL, "sga_numsegs must be 1, was " + Integer.toUnsignedString(numSegs));
        }
    }

    /**
     * Pushes the segment C describes: the SGA itself, narrowed as C narrowed {@code sga_segs[0]}, or, when C
     * reaches past a narrowing it pushed before, a copy of the segment (freed at once: the push keeps its own
     * reference).
     */
    private static long push(Context c, int qd, long sga, boolean hasAddress, long to) {
        checkNumSegs(sga);
        int slot = c.sgas.slot(ALL.get(LONG, sga + CStructs.SGA_BUF));
        long segmentAddress = ALL.get(LONG, sga + CStructs.SGA_SEG_BUF);
        long segmentLength = Integer.toUnsignedLong(ALL.get(INT, sga + CStructs.SGA_SEG_LEN));
        Sga view = c.sgas.view(slot, segmentAddress, segmentLength);
        if (view != null) {
            return hasAddress ? c.libos.pushTo(qd, view, to) : c.libos.push(qd, view);
        }
        Sga copy = c.libos.sgaAlloc((int) segmentLength);
        try {
            MemorySegment.copy(ALL, segmentAddress, copy.segment(), 0, segmentLength);
            return hasAddress ? c.libos.pushTo(qd, copy, to) : c.libos.push(qd, copy);
        } finally {
            c.libos.sgaFree(copy);
        }
    }

    @SuppressWarnings("unchecked")
    private static SocketOption<Boolean> booleanOption(SocketOption<?> option) {
        if (option.type() != Boolean.class) {
            throw new DemiException(Errno.ENOPROTOOPT, "socket option " + option + " is not a boolean");
        }
        return (SocketOption<Boolean>) option;
    }

    private static void writeAddress(long addr, InetSocketAddress address) {
        SockAddr.write(ALL, addr, SockAddr.of(address));
    }

    private static void writeSga(long at, long handle, Sga sga, long from) {
        ALL.set(LONG, at + CStructs.SGA_BUF, handle);
        ALL.set(INT, at + CStructs.SGA_NUMSEGS, 1);
        ALL.set(LONG, at + CStructs.SGA_SEG_BUF, sga.address());
        ALL.set(INT, at + CStructs.SGA_SEG_LEN, sga.length());
        SockAddr.write(ALL, at + CStructs.SGA_ADDR, from);
    }

    /**
     * Writes a result as a {@code demi_qresult_t}. A popped SGA gets a handle: from here on C owns it.
     */
    private static void writeResult(Context c, long qr, QResult result) {
        Opcode opcode = result.opcode();
        ALL.set(INT, qr + CStructs.QR_OPCODE, opcode.code());
        ALL.set(INT, qr + CStructs.QR_QD, result.qd());
        ALL.set(LONG, qr + CStructs.QR_QT, result.qt());
        ALL.set(LONG, qr + CStructs.QR_RET, result.ret());
        long value = qr + CStructs.QR_VALUE;
        if (opcode == Opcode.POP && result.sga() != null) {
            Sga sga = result.sga();
            writeSga(value, c.sgas.register(sga), sga, result.addr());
        } else {
            CStructs.zero(value, CStructs.SGA_SIZE);
            if (opcode == Opcode.ACCEPT) {
                ALL.set(INT, value + CStructs.ARES_QD, result.acceptedQd());
                SockAddr.write(ALL, value + CStructs.ARES_ADDR, result.addr());
            }
        }
    }
}
