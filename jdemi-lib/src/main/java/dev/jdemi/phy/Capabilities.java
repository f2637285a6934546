package dev.jdemi.phy;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.MacAddress;

/**
 * What a device can do, as reported by {@link PhysicalLayer#capabilities()}.
 *
 * <p>Checksum offload works in pairs: a device with {@code txChecksumOffload} expects the stack to leave IPv4, TCP
 * and UDP checksums for the hardware; one with {@code rxChecksumOffload} has verified them already, so the stack
 * need not. Devices that move frames in memory compute nothing: a port that claims transmit offload sends frames
 * without valid checksums, so pair it only with receivers that claim receive offload. A device without receive
 * offload may still vouch for single frames ({@link dev.jdemi.runtime.DemiBuffer#markChecksumTrusted()}): the
 * AF_PACKET device does for frames the kernel itself trusts.
 *
 * @param mtuBytes the largest payload of a frame (IP packet), 68..65,521; a frame may carry {@code mtuBytes + 14}
 *         bytes including the Ethernet header
 * @param rxChecksumOffload whether received frames have had their checksums verified by the device
 * @param txChecksumOffload whether the device fills in checksums of transmitted frames
 * @param macAddress the device's own address, or null when it has none (it then receives every frame)
 * @param maxBatch how many frames one {@link PhysicalLayer#receive} call should ask for, at least 1
 */
public record Capabilities(int mtuBytes, boolean rxChecksumOffload, boolean txChecksumOffload, MacAddress macAddress,
        int maxBatch) {
    /** Bytes of an Ethernet II header: destination, source, type. */
    public static final int ETHERNET_HEADER_BYTES = 14;
    /**
     * The smallest MTU of an IPv4 link. RFC 791 section 3.2: "Every internet module must be able to forward a datagram
     * of 68 octets without further fragmentation."
     */
    public static final int MIN_MTU = 68;
    /** The largest MTU whose frames still fit a 65,535-byte buffer. */
    public static final int MAX_MTU = 65_535 - ETHERNET_HEADER_BYTES;
    /** The Ethernet MTU. */
    public static final int DEFAULT_MTU = 1500;
    /** The batch size of {@link #ethernet}. */
    public static final int DEFAULT_MAX_BATCH = 32;

    /**
     * Validates the values.
     *
     * @throws DemiException EINVAL naming the value out of range
     */
    public Capabilities {
        if (mtuBytes < MIN_MTU || mtuBytes > MAX_MTU) {
            throw new DemiException(Errno.EINVAL, "mtuBytes " + mtuBytes + " is outside " + MIN_MTU + ".." + MAX_MTU);
        }
        if (maxBatch < 1) {
            throw new DemiException(Errno.EINVAL, "maxBatch " + maxBatch + " is below 1");
        }
    }

    /**
     * Capabilities of a plain Ethernet device: no offloads, a batch of {@value #DEFAULT_MAX_BATCH}.
     *
     * @param mtuBytes the MTU
     * @param macAddress the device's address, or null
     * @return the capabilities
     */
    public static Capabilities ethernet(int mtuBytes, MacAddress macAddress) {
        return new Capabilities(mtuBytes, false, false, macAddress, DEFAULT_MAX_BATCH);
    }

    /** {@return the longest frame the device carries: the MTU plus the Ethernet header} */
    public int maxFrameBytes() {
        return mtuBytes + ETHERNET_HEADER_BYTES;
    }
}
