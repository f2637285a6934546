/**
 * {@code jdemi bench}: jdemi side by side with what a user would pick instead, on the same machine in the same run.
 *
 * <p>{@code jdemi bench echo} runs a closed-loop TCP echo between two processes pinned to separate cores, for every
 * {@link dev.jdemi.tools.bench.EchoPeer} (a C floor on kernel sockets, JDK NIO, Netty's native transports, jdemi's
 * LibOSes), interleaved over several rounds. The {@link dev.jdemi.tools.bench.EchoBench} starts the processes; each
 * client writes its round-trip times to a {@link dev.jdemi.tools.bench.RunFile}; the
 * {@link dev.jdemi.tools.bench.EchoReport} turns them into a table with ratios to the C floor and the best Java peer,
 * and the {@link dev.jdemi.tools.bench.CdfChart} into latency plots. Peers are listed in
 * {@link dev.jdemi.tools.bench.EchoPeers}; a LibOS that lands later adds itself there, or from its own jar through
 * {@link dev.jdemi.tools.bench.EchoPeer.Provider}. Depends on the public API of {@code dev.jdemi}, picocli, Netty,
 * HdrHistogram and JFreeChart.
 */
package dev.jdemi.tools.bench;
