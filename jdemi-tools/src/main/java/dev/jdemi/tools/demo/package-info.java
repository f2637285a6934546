/**
 * {@code jdemi demo}: an echo server and an echo client, each with its own LibOS, run for a few seconds and
 * summarised in a small table.
 *
 * <p>A {@link dev.jdemi.tools.demo.Scenario} is one way to run the pair (today: TCP over loopback on two threads);
 * the command picks one from its options and prints the {@link dev.jdemi.tools.demo.ResultTable}. Depends on
 * {@code dev.jdemi.tools.echo}, {@code dev.jdemi.tools.options}, the public API of {@code dev.jdemi}, picocli and
 * HdrHistogram.
 */
package dev.jdemi.tools.demo;
