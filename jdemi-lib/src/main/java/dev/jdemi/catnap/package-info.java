/**
 * catnap: a {@link dev.jdemi.libos.Transport} over the kernel's sockets, through FFM downcalls to libc and an
 * edge-triggered epoll set. Each socket is a scheduler task that epoll readiness wakes; operations try the system
 * call at once and wait for the next readiness edge only when the kernel says EAGAIN.
 *
 * <p>Dependency rule: depends on the API, the runtime, {@code libos} and {@code sys}.
 */
package dev.jdemi.catnap;
