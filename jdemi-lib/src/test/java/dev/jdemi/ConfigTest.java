package dev.jdemi;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Valid configurations: the defaults, every key, and upstream's file shapes. */
class ConfigTest {

    static Path resource(String name) {
        try {
            return Path.of(ConfigTest.class.getResource("/config/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    static Inet4Address ip(String dotted) {
        try {
            return (Inet4Address) InetAddress.getByName(dotted);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void defaultsAreUpstreamsAndNeedNoFile() {
        Config config = Config.defaults();

        assertThat(config.localIpv4Addr()).isNull();
        assertThat(config.localLinkAddr()).isNull();
        assertThat(config.linuxInterfaceName()).isNull();
        assertThat(config.xdpInterfaceIndex()).isEqualTo(-1);
        assertThat(config.dpdkEalInit()).isEmpty();
        assertThat(config.tcpSocketOptions().nodelay()).isTrue();
        assertThat(config.tcpSocketOptions().keepalive()).isFalse();
        assertThat(config.tcpSocketOptions().linger()).isEqualTo(Linger.OFF);
        assertThat(config.inetstack().mtu()).isEqualTo(1500);
        assertThat(config.inetstack().mss()).isEqualTo(1450);
        assertThat(config.inetstack().arpRequestRetries()).isEqualTo(5);
        assertThat(config.inetstack().arpRequestTimeoutMillis()).isEqualTo(20_000);
        assertThat(config.inetstack().arpCacheTtlMillis()).isEqualTo(15_000);
        assertThat(config.jdemi().waitPolicy()).isEqualTo(WaitPolicy.SPIN);
    }

    @Test
    void anEmptyMappingOrEmptySectionsGiveTheDefaults() {
        assertThat(Config.parse("{}")).isEqualTo(Config.defaults());
        assertThat(Config.parse("demikernel:\ntcp_socket_options:\n  linger:\ninetstack_config: {}\njdemi:\n"))
                .isEqualTo(Config.defaults());
    }

    @Test
    void aFileWithEveryKeyIsReadIntoEveryField() {
        Config config = Config.load(resource("full.yaml"));

        assertThat(config.localIpv4Addr()).isEqualTo(ip("10.0.0.2"));
        assertThat(config.localLinkAddr()).isEqualTo(MacAddress.parse("02:00:00:00:00:02"));
        assertThat(config.linuxInterfaceName()).isEqualTo("eth1");
        assertThat(config.xdpInterfaceIndex()).isEqualTo(7);
        assertThat(config.dpdkEalInit()).containsExactly("jdemi", "-l", "2", "--in-memory");
        assertThat(config.tcpSocketOptions())
                .isEqualTo(new Config.TcpSocketOptions(true, 7_200_000, 1000, new Linger(true, 30), false));
        assertThat(config.inetstack()).isEqualTo(new Config.Inetstack(9000, 8960, true, true, true,
                Map.of(ip("10.0.0.1"), MacAddress.parse("02:00:00:00:00:01"),
                        ip("10.0.0.3"), MacAddress.parse("02:00:00:00:00:03")),
                3, 2000, 300_000));
        assertThat(config.jdemi().waitPolicy()).isEqualTo(WaitPolicy.BLOCK);
    }

    @Test
    void theFullFileMovesEveryFieldAwayFromItsDefault() {
        Config full = Config.load(resource("full.yaml"));
        Config defaults = Config.defaults();
        Config.Inetstack a = full.inetstack();
        Config.Inetstack d = defaults.inetstack();
        Config.TcpSocketOptions t = full.tcpSocketOptions();
        Config.TcpSocketOptions td = defaults.tcpSocketOptions();

        assertThat(full.localIpv4Addr()).isNotNull();
        assertThat(full.localLinkAddr()).isNotNull();
        assertThat(full.linuxInterfaceName()).isNotNull();
        assertThat(full.xdpInterfaceIndex()).isNotEqualTo(defaults.xdpInterfaceIndex());
        assertThat(full.dpdkEalInit()).isNotEqualTo(defaults.dpdkEalInit());
        assertThat(full.jdemi()).isNotEqualTo(defaults.jdemi());
        assertThat(t.keepalive()).isNotEqualTo(td.keepalive());
        assertThat(t.keepaliveTimeMillis()).isNotEqualTo(td.keepaliveTimeMillis());
        assertThat(t.keepaliveInterval()).isNotEqualTo(td.keepaliveInterval());
        assertThat(t.linger()).isNotEqualTo(td.linger());
        assertThat(t.nodelay()).isNotEqualTo(td.nodelay());
        assertThat(a.mtu()).isNotEqualTo(d.mtu());
        assertThat(a.mss()).isNotEqualTo(d.mss());
        assertThat(a.enableJumboFrames()).isNotEqualTo(d.enableJumboFrames());
        assertThat(a.udpChecksumOffload()).isNotEqualTo(d.udpChecksumOffload());
        assertThat(a.tcpChecksumOffload()).isNotEqualTo(d.tcpChecksumOffload());
        assertThat(a.arpTable()).isNotEqualTo(d.arpTable());
        assertThat(a.arpRequestRetries()).isNotEqualTo(d.arpRequestRetries());
        assertThat(a.arpRequestTimeoutMillis()).isNotEqualTo(d.arpRequestTimeoutMillis());
        assertThat(a.arpCacheTtlMillis()).isNotEqualTo(d.arpCacheTtlMillis());
    }

    @Test
    void aliceBobAndCarrieHaveTheirAddressesAndShareTheRest() {
        Config alice = Config.load(resource("alice.yaml"));
        Config bob = Config.load(resource("bob.yaml"));
        Config carrie = Config.load(resource("carrie.yaml"));

        assertThat(alice.localIpv4Addr()).isEqualTo(ip("192.168.1.1"));
        assertThat(bob.localIpv4Addr()).isEqualTo(ip("192.168.1.2"));
        assertThat(carrie.localIpv4Addr()).isEqualTo(ip("192.168.1.3"));
        assertThat(alice.localLinkAddr()).isEqualTo(new MacAddress(0x1223_4567_89abL));
        assertThat(bob.localLinkAddr()).isEqualTo(new MacAddress(0xab89_6745_2312L));
        assertThat(carrie.localLinkAddr()).isEqualTo(new MacAddress(0xefcd_ab89_6745L));
        assertThat(alice.inetstack().mss()).isEqualTo(1450);
        assertThat(bob.inetstack().mss()).isEqualTo(1500);
        assertThat(carrie.inetstack().mss()).isEqualTo(1500);
        for (Config host : List.of(alice, bob, carrie)) {
            assertThat(host.tcpSocketOptions().linger()).isEqualTo(new Linger(true, 0));
            assertThat(host.inetstack().arpRequestRetries()).isEqualTo(2);
            assertThat(host.inetstack().arpRequestTimeoutMillis()).isEqualTo(1000);
            assertThat(host.inetstack().arpCacheTtlMillis()).isEqualTo(600_000);
            assertThat(host.requireInetstack()).isSameAs(host);
        }
    }

    @Test
    void theArpTableMapsMacToIpInYamlAndIpToMacInJava() {
        Config alice = Config.load(resource("alice.yaml"));

        assertThat(alice.inetstack().arpTable()).containsExactly(
                Map.entry(ip("192.168.1.1"), MacAddress.parse("12:23:45:67:89:ab")),
                Map.entry(ip("192.168.1.2"), MacAddress.parse("ab:89:67:45:23:12")),
                Map.entry(ip("192.168.1.3"), MacAddress.parse("ef:cd:ab:89:67:45")));
    }

    @Test
    void upstreamsWindowsXdpKeysAreAcceptedAndIgnored() {
        Config config = Config.load(resource("windows-xdp.yaml"));

        assertThat(config.xdpInterfaceIndex()).isEqualTo(3);
        assertThat(config.dpdkEalInit()).first().isEqualTo("-c");
        assertThat(config.inetstack().arpTable()).isEmpty();
        assertThat(config.inetstack().mss()).isEqualTo(1500);
    }

    @Test
    void integersMayBeHexOrOctalAsInYamlsCoreSchema() {
        Config config = Config.parse("inetstack_config:\n  mtu: 0x5dc\n  arp_request_retries: 0o17\n");

        assertThat(config.inetstack().mtu()).isEqualTo(1500);
        assertThat(config.inetstack().arpRequestRetries()).isEqualTo(15);
    }

    @Test
    void lingerDisabledIsOffWhateverItsTime() {
        Config config = Config.parse("tcp_socket_options:\n  linger: {enabled: false, time_seconds: 9}\n");

        assertThat(config.tcpSocketOptions().linger()).isEqualTo(Linger.OFF);
    }

    @Test
    void theWaitPolicyIgnoresCase() {
        assertThat(Config.parse("jdemi: {wait_policy: Block}").jdemi().waitPolicy()).isEqualTo(WaitPolicy.BLOCK);
        assertThat(Config.parse("jdemi: {wait_policy: spin}").jdemi().waitPolicy()).isEqualTo(WaitPolicy.SPIN);
    }

    @Test
    void thePacketRingDefaultsToV3AndIgnoresCase() {
        assertThat(Config.defaults().jdemi().packetRing()).isEqualTo(Config.PacketRing.V2);
        assertThat(Config.parse("jdemi: {packet_ring: V2}").jdemi().packetRing()).isEqualTo(Config.PacketRing.V2);
        assertThat(Config.defaults().jdemi().rawDevice()).isEqualTo(Config.RawDevice.AF_PACKET);
        assertThat(Config.parse("jdemi: {raw_device: AF_XDP}").jdemi().rawDevice()).isEqualTo(Config.RawDevice.AF_XDP);
        assertThat(Config.parse("jdemi: {raw_device: tap}").jdemi().rawDevice()).isEqualTo(Config.RawDevice.TAP);
        assertThat(Config.parse("jdemi: {packet_ring: v2, wait_policy: block}").withWaitPolicy(WaitPolicy.SPIN)
                .jdemi().packetRing()).isEqualTo(Config.PacketRing.V2);
    }

    @Test
    void jumboFramesAllowAnMtuAbove1500() {
        Config config = Config.parse("inetstack_config: {mtu: 65535, enable_jumbo_frames: true}");

        assertThat(config.inetstack().mtu()).isEqualTo(65535);
    }

    @Test
    void theResultIsImmutable() {
        Config config = Config.load(resource("full.yaml"));

        assertThat(config.dpdkEalInit()).isUnmodifiable();
        assertThat(config.inetstack().arpTable()).isUnmodifiable();
    }
}
