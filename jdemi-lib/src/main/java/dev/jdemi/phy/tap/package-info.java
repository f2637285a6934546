/**
 * The TAP device: {@link dev.jdemi.phy.tap.TapDevice}, catpowder's link to the Linux kernel through a TAP interface
 * ({@code /dev/net/tun}), one {@code read(2)} or {@code write(2)} per frame. jdemi is the far end of the interface, the
 * kernel the near end; an interface that does not exist is created, not persistent.
 *
 * <p>Dependency rule: like {@code dev.jdemi.phy}, plus {@code dev.jdemi.sys} for the descriptor; a kernel-backed
 * device is the only part of the physical layer that may call the kernel. Never {@code wire}, {@code inet},
 * {@code libos}, the LibOSes or {@code bootstrap}.
 */
package dev.jdemi.phy.tap;
