/**
 * The echo programs: upstream's {@code tcp-echo} system test ({@link dev.jdemi.tools.echo.EchoServer},
 * {@link dev.jdemi.tools.echo.EchoClient}) and a UDP echo, with their commands.
 *
 * <p>The server and client are plain classes over one {@link dev.jdemi.LibOS} each, so the demo, the commands and
 * the tests run them on threads of one process or in separate processes alike. Their request loops allocate nothing
 * per request. Depends on the public API of {@code dev.jdemi}, HdrHistogram, picocli and
 * {@code dev.jdemi.tools.options}.
 */
package dev.jdemi.tools.echo;
