/**
 * The AF_PACKET device: {@link dev.jdemi.phy.afpacket.PacketDevice}, catpowder's link to a real Linux interface
 * through a packet socket with a memory-mapped receive ring and batched transmission.
 *
 * <p>Dependency rule: like {@code dev.jdemi.phy}, plus {@code dev.jdemi.sys} for the socket; a kernel-backed device
 * is the only part of the physical layer that may call the kernel. Never {@code wire}, {@code inet}, {@code libos}, the
 * LibOSes or {@code bootstrap}.
 */
package dev.jdemi.phy.afpacket;
