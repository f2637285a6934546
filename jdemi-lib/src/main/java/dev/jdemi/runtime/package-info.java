/**
 * The runtime every LibOS shares: the cooperative scheduler (tasks, waker bits, a FIFO of ready tasks), operations
 * and their queue tokens, the clock and timers, and off-heap buffers from pools.
 *
 * <p>Everything here is single-threaded: a runtime belongs to one LibOS and its thread. Nothing allocates in the
 * steady state: operations, buffers and buffer headers are pooled.
 *
 * <p>Dependency rule: depends on the API package ({@code dev.jdemi}) and {@code java.base} only. Only
 * {@link dev.jdemi.runtime.SystemClock} reads {@code System.nanoTime()}.
 */
package dev.jdemi.runtime;
