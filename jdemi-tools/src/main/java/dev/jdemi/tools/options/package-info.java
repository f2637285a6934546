/**
 * What the {@code jdemi} subcommands share: the {@code --libos}, {@code --address} and {@code --peer} options, their
 * value converters, and running work on several threads.
 *
 * <p>Depends on picocli and the public API of {@code dev.jdemi} only. A value that does not parse is a picocli
 * usage error, so the command exits with status 2 and prints the usage.
 */
package dev.jdemi.tools.options;
