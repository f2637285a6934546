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
 * {@link dev.jdemi.tools.bench.EchoPeer.Provider}.
 *
 * <p>{@code jdemi bench veth} runs the same closed loop across a {@link dev.jdemi.tools.bench.VethPair} (two
 * temporary network namespaces, as root): each {@link dev.jdemi.tools.bench.VethPeer} row (the bare frame ping-pong
 * of {@link dev.jdemi.tools.bench.FrameFloor} per {@link dev.jdemi.tools.bench.VethDevice}, catpowder over the same
 * device, the C echo on kernel TCP, catnap) runs through the {@code EchoBench}; the
 * {@link dev.jdemi.tools.bench.VethReport} gives the ratios to kernel TCP and the stack's cost per side over the
 * floor. Depends on the public API of {@code dev.jdemi}, picocli, Netty,
 * HdrHistogram and JFreeChart.
 */
package dev.jdemi.tools.bench;
