/**
 * The {@code jdemi} command line: {@link dev.jdemi.tools.Main} and its subcommands.
 *
 * <p>The tools are an application of the library: they use the public API of {@code dev.jdemi} only, never its
 * internal packages. This package holds the entry point and may depend on every package of the tools; the
 * subpackages never depend on it.
 */
package dev.jdemi.tools;
