package dev.jdemi.phy;

import dev.jdemi.runtime.DemiBuffer;

import java.nio.file.Path;

/**
 * A device that records every frame another device receives or transmits to a pcap file, and otherwise behaves
 * exactly like it.
 *
 * <p>A received frame is recorded when it is handed to the caller, a transmitted one when it is handed to the
 * device (before the device may drop it), each stamped with the call's {@code nowNs}. An I/O error of the capture
 * never reaches the datapath: see {@link PcapWriter}.
 *
 * <p>To capture everything on a {@link MemoryWire} once, rather than once per port, use
 * {@link MemoryWire#capture(Path)}.
 *
 * <p>Thread, ownership and allocation as for {@link PhysicalLayer}. The tap owns the device and the writer it is
 * given and closes both.
 */
public final class PcapTap implements PhysicalLayer {
    private final PhysicalLayer device;
    private final PcapWriter writer;

    /**
     * Wraps a device.
     *
     * @param device the device, now owned by the tap
     * @param writer where to record, now owned by the tap
     */
    public PcapTap(PhysicalLayer device, PcapWriter writer) {
        this.device = device;
        this.writer = writer;
    }

    /**
     * Wraps a device, recording to a new file.
     *
     * @param device the device, now owned by the tap
     * @param file the capture file, created or truncated
     * @return the tap
     * @throws dev.jdemi.DemiException EIO when the file cannot be opened
     */
    public static PcapTap open(PhysicalLayer device, Path file) {
        return new PcapTap(device, PcapWriter.open(file));
    }

    /** {@return the writer, to flush or read its counters} */
    public PcapWriter writer() {
        return writer;
    }

    @Override
    public Capabilities capabilities() {
        return device.capabilities();
    }

    @Override
    public int receive(DemiBuffer[] frames, int max, long nowNs) {
        int count = device.receive(frames, max, nowNs);
        for (int i = 0; i < count; i++) {
            writer.write(frames[i], nowNs);
        }
        return count;
    }

    @Override
    public int transmit(DemiBuffer frame, long nowNs) {
        writer.write(frame, nowNs);
        return device.transmit(frame, nowNs);
    }

    @Override
    public int transmit(DemiBuffer[] frames, int count, long nowNs) {
        for (int i = 0; i < count; i++) {
            writer.write(frames[i], nowNs);
        }
        return device.transmit(frames, count, nowNs);
    }

    @Override
    public long nextEventNs() {
        return device.nextEventNs();
    }

    @Override
    public void block(long timeoutNs) {
        writer.flush();
        device.block(timeoutNs);
    }

    @Override
    public PhyStats stats() {
        return device.stats();
    }

    @Override
    public void close() {
        try {
            device.close();
        } finally {
            writer.close();
        }
    }
}
