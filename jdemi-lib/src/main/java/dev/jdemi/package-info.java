/**
 * The public API of jdemi: Demikernel's queue-based, asynchronous I/O interface for the JVM.
 *
 * <p>A program opens a {@link dev.jdemi.LibOS} (one per thread), creates queues with {@code socket}, starts
 * asynchronous operations ({@code accept, connect, push, pushTo, pop, asyncClose}) that each return a queue token
 * (qt), and collects their results with {@code wait}, {@code waitAny} or {@code waitNextN}. Data travels in
 * scatter-gather arrays ({@link dev.jdemi.Sga}) of off-heap memory.
 *
 * <p>Dependency rule: this package depends on nothing else in the library. Implementations are found through
 * {@link dev.jdemi.spi.LibOSProvider}.
 */
package dev.jdemi;
