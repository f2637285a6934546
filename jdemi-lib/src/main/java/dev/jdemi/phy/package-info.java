/**
 * The physical layer: the {@link dev.jdemi.phy.PhysicalLayer} SPI through which the user-space stack sends and
 * receives Ethernet frames, and the devices that need no kernel: {@link dev.jdemi.phy.MemoryWire} (an in-memory hub
 * joining several stacks in one thread), {@link dev.jdemi.phy.PcapTap} and {@link dev.jdemi.phy.PcapWriter} (captures
 * that Wireshark and tshark open) and {@link dev.jdemi.phy.FaultInjector} (seeded loss, duplication, reordering,
 * corruption and delay). Kernel-backed devices (AF_PACKET, AF_XDP, TAP, DPDK) implement the same SPI.
 *
 * <p>A device moves whole frames, Ethernet header included and frame check sequence excluded, in
 * {@link dev.jdemi.runtime.DemiBuffer}s. It knows nothing about IP: where it must look into a frame (the destination
 * address, a byte to corrupt) it uses raw offsets.
 *
 * <p>Everything here is confined to one thread, is handed the time as {@code long nowNs} and allocates nothing per
 * frame in the steady state (buffers come from pools).
 *
 * <p>Dependency rule: depends on {@code java.base}, the API package ({@code dev.jdemi}) and {@code dev.jdemi.runtime}
 * (buffers) only; never on {@code wire}, {@code inet}, {@code sys}, {@code libos}, the LibOSes or {@code bootstrap}.
 */
package dev.jdemi.phy;
