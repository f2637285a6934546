/**
 * UDP for the user-space stack: sockets, ports, the receive queues and the pops waiting on them, over
 * {@link dev.jdemi.inet.NetworkStack}. Never imports {@code inet.tcp}.
 */
package dev.jdemi.inet.udp;
