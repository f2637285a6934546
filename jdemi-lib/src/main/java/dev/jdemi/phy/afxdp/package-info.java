/**
 * The AF_XDP device: {@link dev.jdemi.phy.afxdp.XdpDevice}, catpowder's link to a real Linux interface through an
 * AF_XDP socket in copy mode, whose UMEM is the LibOS's buffer pool and whose four rings (fill, completion, receive,
 * transmit) are driven from Java ({@code XskRing}).
 *
 * <p>Dependency rule: like {@code dev.jdemi.phy}, plus {@code dev.jdemi.sys} for the socket (libxdp); a kernel-backed
 * device is the only part of the physical layer that may call the kernel. Never {@code wire}, {@code inet},
 * {@code libos}, the LibOSes or {@code bootstrap}.
 */
package dev.jdemi.phy.afxdp;
