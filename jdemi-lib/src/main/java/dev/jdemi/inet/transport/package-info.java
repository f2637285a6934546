/**
 * The user-space stack as a {@link dev.jdemi.libos.Transport}: joins {@link dev.jdemi.inet.NetworkStack} and the
 * transport layers ({@code inet.udp}, and {@code inet.tcp} next) to {@link dev.jdemi.libos.NetworkLibOS}, and
 * demultiplexes received datagrams by protocol number. Never imports a device, {@code sys} or {@code bootstrap}.
 */
package dev.jdemi.inet.transport;
