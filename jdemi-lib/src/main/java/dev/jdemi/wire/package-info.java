/**
 * Header flyweights and checksums for the protocols the user-space stack speaks: Ethernet II, ARP, IPv4, ICMPv4,
 * UDP and TCP (with its options), plus the Internet checksum.
 *
 * <p>Each flyweight is one reusable object that is re-pointed at a frame with {@code wrap(segment, offset, length)};
 * it reads and writes fields in place, in network byte order, and never copies or allocates. The length given to
 * {@code wrap} is the caller's bound: {@code validate} checks the header against it and returns a
 * {@link dev.jdemi.wire.DropReason} code instead of throwing, so the stack can drop a malformed packet and count it.
 * Accessors do not re-check that bound: call {@code validate} (or build the header yourself) before trusting them.
 * Flyweights are not thread-safe; each LibOS thread keeps its own.
 *
 * <p>The package is pure: no I/O, no clock, no logging, no allocation per packet.
 *
 * <p>Dependency rule: depends on nothing but {@code java.base} (not even the jdemi API package).
 */
package dev.jdemi.wire;
