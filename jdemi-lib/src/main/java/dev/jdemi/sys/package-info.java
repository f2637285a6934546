/**
 * The only code in jdemi that touches {@code java.lang.foreign.Linker} and {@code SymbolLookup}: downcalls into libc
 * (sockets, epoll), struct layouts and errno capture.
 *
 * <p>Conventions: method handles are {@code static final} and called with {@code invokeExact}; pointer arguments on
 * hot paths are passed as {@code long} addresses so no segment is created per call; every call returns its result,
 * or {@code -errno} when it failed, read from a caller-supplied capture segment ({@link Libc#newErrnoState}).
 *
 * <p>Dependency rule: depends on {@code java.base} only.
 */
package dev.jdemi.sys;
