package dev.jdemi.nativeabi;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.LibOS;
import dev.jdemi.QResult;

import java.util.Arrays;

/**
 * What one C thread that called {@code demi_init} has: its LibOS, its SGA handles, and scratch space for the waits.
 *
 * <p>C keeps the context's number in a thread-local variable and passes it on every call, so the lookup costs an
 * array read. Contexts are never removed: a thread's LibOS lives until the process ends, as a thread-local
 * LibOS does upstream when its thread never exits.
 *
 * <p>Thread: a context is used only by its own thread; the registry is safe for concurrent {@code demi_init}s.
 */
final class Context {
    private static final Object LOCK = new Object();
    private static volatile Context[] contexts = new Context[16];
    private static int count;

    final int id;
    final LibOS libos;
    final SgaTable sgas;
    final QResult result = new QResult();
    private long[] tokens = new long[64];
    private QResult[] results = new QResult[0];

    private Context(int id, LibOS libos) {
        this.id = id;
        this.libos = libos;
        this.sgas = new SgaTable(id);
    }

    /**
     * Registers the LibOS of a thread.
     *
     * @param libos the LibOS the thread just opened
     * @return the context
     * @throws DemiException ENOMEM when {@link SgaTable#MAX_CONTEXTS} threads already called {@code demi_init}
     */
    static Context register(LibOS libos) {
        synchronized (LOCK) {
            if (count == SgaTable.MAX_CONTEXTS) {
                throw new DemiException(Errno.ENOMEM, SgaTable.MAX_CONTEXTS + " threads already called demi_init");
            }
            Context context = new Context(count, libos);
            Context[] table = contexts;
            if (count == table.length) {
                table = Arrays.copyOf(table, Math.min(SgaTable.MAX_CONTEXTS, table.length * 2));
            }
            table[count++] = context;
            contexts = table;
            return context;
        }
    }

    /**
     * Finds the context C named.
     *
     * @param id the number {@code demi_init} returned to this thread
     * @return the context
     * @throws IllegalStateException for a number no {@code demi_init} returned (a jdemi bug: C passes only those),
     *     before the caller touches any C memory
     */
    static Context of(int id) {
        Context[] table = contexts;
        Context context = id >= 0 && id < table.length ? table[id] : null;
        if (context == null) {
            throw new IllegalStateException("no LibOS context " + id);
        }
        return context;
    }

    /**
     * Returns a token array of at least {@code n} entries, reused across calls.
     *
     * @param n how many tokens the caller will copy in
     * @return the array
     */
    long[] tokens(int n) {
        if (tokens.length < n) {
            tokens = new long[Math.max(n, tokens.length * 2)];
        }
        return tokens;
    }

    /**
     * Returns a result array of at least {@code n} non-null results, reused across calls.
     *
     * @param n how many results the caller will collect
     * @return the array
     */
    QResult[] results(int n) {
        if (results.length < n) {
            int old = results.length;
            results = Arrays.copyOf(results, n);
            for (int i = old; i < n; i++) {
                results[i] = new QResult();
            }
        }
        return results;
    }
}
