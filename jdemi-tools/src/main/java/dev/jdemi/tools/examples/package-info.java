/**
 * Upstream's small examples (spec §7.1-7.2): {@code tcp-ping-pong}, {@code udp-ping-pong}, {@code tcp-push-pop} and
 * {@code udp-push-pop}, each a server or a client that prints one line per message.
 *
 * <p>These are lock-step programs: one operation at a time, each waited for. Depends on the public API of
 * {@code dev.jdemi}, picocli and {@code dev.jdemi.tools.options}.
 */
package dev.jdemi.tools.examples;
