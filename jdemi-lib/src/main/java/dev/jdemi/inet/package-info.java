/**
 * The lower half of jdemi's user-space TCP/IP stack (inetstack): Ethernet, ARP, IPv4 with fragmentation and
 * reassembly, and ICMP, over a {@link dev.jdemi.phy.PhysicalLayer}. {@link dev.jdemi.inet.NetworkStack} pulls frames
 * and hands datagrams up as return values; transports ({@code inet.udp}, {@code inet.tcp}) sit on top and
 * {@code inet.transport} joins them to {@link dev.jdemi.libos.NetworkLibOS}.
 *
 * <p>Malformed and unwanted frames are dropped and counted by {@link dev.jdemi.inet.InetDrop reason} in
 * {@link dev.jdemi.inet.InetStats}; nothing on the datapath throws. Time is handed in as {@code long nowNs}.
 *
 * <p>Dependency rule: {@code java.base}, the API, {@code runtime}, {@code wire} and the {@code phy} SPI; never a
 * transport package, {@code libos}, {@code catnap}, {@code catmem}, {@code sys} or {@code bootstrap}.
 */
package dev.jdemi.inet;
