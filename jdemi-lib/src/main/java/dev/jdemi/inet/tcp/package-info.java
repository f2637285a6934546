/**
 * The user-space TCP (RFC 9293): a pure state machine per connection ({@link dev.jdemi.inet.tcp.TcpConnection}),
 * handed segments and the time and emitting segments into a {@link dev.jdemi.inet.tcp.TcpSegmentSink}, plus the
 * demultiplexer, listeners, SYN cookies and timers ({@link dev.jdemi.inet.tcp.TcpStack}). Options: MSS, window scale,
 * SACK and timestamps with PAWS (RFC 7323, RFC 2018); loss recovery per RFC 6298, RFC 5681, RFC 6582 and RFC 6675;
 * CUBIC (RFC 9438) or NewReno; RFC 5961 and RFC 6528 hardening.
 *
 * <p>Depends only on {@code dev.jdemi.wire} (header flyweights) and the JDK. It never reads a clock, calls native code
 * or logs per packet, and never imports {@code inet.udp}, {@code catnap}, {@code catmem}, {@code sys} or a
 * {@code phy} device: the IPv4 layer below calls {@link dev.jdemi.inet.tcp.TcpStack#receive} and implements the sink.
 */
package dev.jdemi.inet.tcp;
