package dev.jdemi.inet.tcp;

/**
 * Where the TCP puts the segments it sends: the seam to the IPv4 layer below. The IP layer implements it, builds a
 * frame from the described segment (for example with {@link OutboundSegment#write}) and queues it for the device.
 *
 * <p>Called on the stack's thread, synchronously from {@link TcpStack} and {@link TcpConnection} methods. The segment
 * and the payload memory it points at are valid only during the call: copy what must outlive it.
 */
@FunctionalInterface
public interface TcpSegmentSink {
    /**
     * Takes one outbound segment.
     *
     * @param segment the segment to send; reused after the call returns
     */
    void emit(OutboundSegment segment);
}
