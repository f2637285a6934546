package dev.jdemi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every class of configuration error: a DemiException with the right errno, naming the key, never a panic. */
class ConfigErrorsTest {

    private static DemiException parseFailure(String yaml) {
        return catchThrowableOfType(DemiException.class, () -> Config.parse(yaml));
    }

    @Test
    void aMissingFileIsEinvalNamingThePath(@TempDir Path dir) {
        Path missing = dir.resolve("nowhere.yaml");

        DemiException e = catchThrowableOfType(DemiException.class, () -> Config.load(missing));

        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
        assertThat(e.getMessage()).contains(missing.toString()).contains("does not exist");
    }

    @Test
    void aDirectoryIsNotAFile(@TempDir Path dir) {
        DemiException e = catchThrowableOfType(DemiException.class, () -> Config.load(dir));

        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
        assertThat(e.getMessage()).contains(dir.toString()).contains("directory");
    }

    @Test
    void aFileThatIsNotUtf8IsEinval(@TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("latin1.yaml"), new byte[] {'a', ':', ' ', (byte) 0xE9, '\n'});

        DemiException e = catchThrowableOfType(DemiException.class, () -> Config.load(file));

        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
        assertThat(e.getMessage()).contains("UTF-8");
    }

    @Test
    void aSyntaxErrorNamesItsLine() {
        DemiException e = parseFailure("demikernel:\n  local_ipv4_addr: 10.0.0.1\n  bad: [unclosed\n");

        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
        assertThat(e.getMessage()).contains("YAML syntax error").containsPattern("line [34]");
    }

    @Test
    void twoDocumentsAreRefused() {
        DemiException e = parseFailure("jdemi: {wait_policy: spin}\n---\njdemi: {wait_policy: block}\n");

        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
        assertThat(e.getMessage()).contains("exactly one YAML document, found 2");
    }

    @Test
    void noDocumentAtAllIsRefused() {
        DemiException e = parseFailure("# only a comment\n");

        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
        assertThat(e.getMessage()).contains("found 0");
    }

    @Test
    void theDocumentMustBeAMapping() {
        DemiException e = parseFailure("- demikernel\n- dpdk\n");

        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
        assertThat(e.getMessage()).contains("must be a mapping of sections, was a list");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "inetstack_config: {mtu: '1500'}      | inetstack_config.mtu: must be an integer, was the string '1500'",
        "inetstack_config: {mss: 1450.5}      | inetstack_config.mss: must be an integer, was the number 1450.5",
        "tcp_socket_options: {nodelay: yes}   | tcp_socket_options.nodelay: must be true or false, was the string",
        "tcp_socket_options: {linger: 5}      | tcp_socket_options.linger: must be a mapping, was the integer 5",
        "demikernel: {local_ipv4_addr: 17}    | demikernel.local_ipv4_addr: must be a string, was the integer 17",
        "dpdk: {eal_init: '-c 0xff'}          | dpdk.eal_init: must be a list of strings",
        "dpdk: {eal_init: ['-n', 4]}          | dpdk.eal_init[1]: must be a string, was the integer 4",
        "inetstack_config: {mtu: }            | inetstack_config.mtu: must be an integer, was empty (null)",
        "raw_socket: [eth0]                   | raw_socket: must be a mapping, was a list",
        "jdemi: {wait_policy: poll}           | jdemi.wait_policy: must be spin or block, was 'poll'",
        "jdemi: {packet_ring: v1}             | jdemi.packet_ring: must be v3 or v2, was 'v1'",
        "jdemi: {raw_device: dpdk}            | jdemi.raw_device: must be af_packet, af_xdp or tap, was 'dpdk'",
    })
    void aWrongTypeIsEinvalNamingTheKey(String yaml, String expected) {
        DemiException e = parseFailure(yaml);

        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
        assertThat(e.getMessage()).contains(expected).contains("(line 1)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "inetstack_config: {mtu: 70000}                  | inetstack_config.mtu: must be in 68..65535, was 70000",
        "inetstack_config: {arp_request_retries: -1}     | inetstack_config.arp_request_retries: must be in 0..",
        "tcp_socket_options: {linger: {time_seconds: 3000000000}} | tcp_socket_options.linger.time_seconds",
        "tcp_socket_options: {keepalive: {interval: 4294967296}}  | tcp_socket_options.keepalive.interval",
        "raw_socket: {xdp_interface_index: -2}           | raw_socket.xdp_interface_index: must be in 0..",
        "inetstack_config: {arp_cache_ttl: 99999999999999999999} | inetstack_config.arp_cache_ttl",
    })
    void anIntegerTooLargeForItsFieldIsErange(String yaml, String expected) {
        DemiException e = parseFailure(yaml);

        assertThat(e.errno()).isEqualTo(Errno.ERANGE);
        assertThat(e.getMessage()).startsWith("ERANGE: ").contains(expected).contains("out of range");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "255.255.255.255", "10.0.0", "10.0.0.256", "010.0.0.1", "host.example",
        "10.0.0.1 "})
    void aBadLocalAddressIsEinval(String address) {
        DemiException e = parseFailure("demikernel:\n  local_ipv4_addr: \"" + address + "\"\n");

        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
        assertThat(e.getMessage()).contains("demikernel.local_ipv4_addr: ").contains("(line 2)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"12:23:45:67:89", "12:23:45:67:89:zz", "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00"})
    void aBadLocalMacIsEinval(String mac) {
        DemiException e = parseFailure("demikernel: {local_link_addr: \"" + mac + "\"}");

        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
        assertThat(e.getMessage()).contains("demikernel.local_link_addr: ");
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 535, 65536, 100_000})
    void anMssOutside536To65535IsEinval(int mss) {
        DemiException e = parseFailure("inetstack_config: {mss: " + mss + "}");

        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
        assertThat(e.getMessage()).contains("inetstack_config.mss: must be in 536..65535, was " + mss);
    }

    @Test
    void theMssBoundsThemselvesAreValid() {
        assertThat(Config.parse("inetstack_config: {mss: 536}").inetstack().mss()).isEqualTo(536);
        assertThat(Config.parse("inetstack_config: {mss: 65535}").inetstack().mss()).isEqualTo(65535);
    }

    @Test
    void anMtuBelow68IsEinval() {
        DemiException e = parseFailure("inetstack_config: {mtu: 67}");

        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
        assertThat(e.getMessage()).contains("inetstack_config.mtu: must be in 68..65535, was 67");
    }

    @Test
    void anMtuAbove1500NeedsJumboFrames() {
        DemiException e = parseFailure("inetstack_config:\n  mtu: 9000\n");

        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
        assertThat(e.getMessage()).contains("inetstack_config.mtu: 9000 exceeds 1500")
                .contains("enable_jumbo_frames: true").contains("(line 2)");
    }

    @Test
    void aZeroArpCacheTtlIsEinval() {
        DemiException e = parseFailure("inetstack_config: {arp_cache_ttl: 0}");

        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
        assertThat(e.getMessage()).contains("inetstack_config.arp_cache_ttl: must be in 1..");
    }

    @Test
    void anUnknownSectionIsEinvalWithASuggestion() {
        DemiException e = parseFailure("inetstack_confg:\n  mtu: 1500\n");

        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
        assertThat(e.getMessage()).contains("inetstack_confg: unknown top-level section; did you mean"
                + " 'inetstack_config'?");
    }

    @Test
    void anUnknownKeyInAKnownSectionIsEinvalNamingIt() {
        DemiException e = parseFailure("tcp_socket_options:\n  linger:\n    enabled: true\n    time_secs: 5\n");

        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
        assertThat(e.getMessage()).contains("tcp_socket_options.linger.time_secs: unknown key in"
                + " tcp_socket_options.linger; did you mean 'time_seconds'?").contains("(line 4)");
    }

    @Test
    void aFarOffUnknownKeyListsTheKnownOnes() {
        DemiException e = parseFailure("jdemi: {threads: 4}");

        assertThat(e.getMessage())
                .contains("jdemi.threads: unknown key in jdemi; known: packet_ring, raw_device, wait_policy");
    }

    @Test
    void upstreamsOldSchemaIsRefusedRatherThanIgnored() {
        DemiException e = parseFailure("catnip:\n  my_ipv4_addr: 10.0.0.1\n");

        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
        assertThat(e.getMessage()).contains("catnip: unknown top-level section");
    }

    @Test
    void aDuplicateKeyIsEinvalNamingBothLines() {
        DemiException e = parseFailure("inetstack_config:\n  mss: 1400\n  mss: 1500\n");

        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
        assertThat(e.getMessage()).contains("inetstack_config.mss: duplicate key (first on line 2) (line 3)");
    }

    @Test
    void aKeyThatIsNotANameIsEinvalWithItsLine() {
        DemiException e = parseFailure("jdemi:\n  ? [wait_policy]\n  : block\n");

        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
        assertThat(e.getMessage()).contains("jdemi: keys must be names, found a list (line 2)");
    }

    @Test
    void badArpTableEntriesAreEachNamed() {
        DemiException e = parseFailure("""
                inetstack_config:
                  arp_table:
                    "12:23:45:67:89": "10.0.0.1"
                    "12:23:45:67:89:ab": "10.0.0"
                    "12:23:45:67:89:ac": "10.0.0.9"
                    "12:23:45:67:89:ad": "10.0.0.9"
                """);

        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
        assertThat(e.getMessage()).contains("3 problems")
                .contains("inetstack_config.arp_table.\"12:23:45:67:89\": '12:23:45:67:89' is not a MAC address")
                .contains("inetstack_config.arp_table.\"12:23:45:67:89:ab\": '10.0.0' is not an IPv4 address")
                .contains("inetstack_config.arp_table.\"12:23:45:67:89:ad\": 10.0.0.9 is already mapped on line 5");
    }

    @Test
    void everyProblemOfAFileIsReportedAtOnceOneLineEach() {
        DemiException e = catchThrowableOfType(DemiException.class,
                () -> Config.load(ConfigTest.resource("many-problems.yaml")));

        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
        assertThat(e.getMessage().lines()).hasSize(6);
        assertThat(e.getMessage().lines().skip(1)).satisfiesExactly(
                line -> assertThat(line).startsWith("demikernel.local_ipv4_addr: 0.0.0.0").endsWith("(line 3)"),
                line -> assertThat(line).startsWith("demikernel.local_link_addr: '12:23:45:67:89'"),
                line -> assertThat(line).startsWith("tcp_socket_options.nodelay: must be true or false"),
                line -> assertThat(line).startsWith("inetstack_config.mss: must be in 536..65535, was 100"),
                line -> assertThat(line).startsWith("inetstack_config.arp_cache_tll: unknown key")
                        .contains("did you mean 'arp_cache_ttl'?").endsWith("(line 9)"));
        assertThat(e.getMessage().lines().findFirst().orElseThrow()).contains("many-problems.yaml")
                .contains("5 problems");
    }

    @Test
    void mixedProblemsAreEinvalAndOnlyRangeProblemsAreErange() {
        DemiException mixed = parseFailure("inetstack_config: {mtu: 70000, mss: 1}");
        DemiException ranges = parseFailure("inetstack_config: {mtu: 70000, mss: -1}");

        assertThat(mixed.errno()).isEqualTo(Errno.EINVAL);
        assertThat(mixed.getMessage()).contains("2 problems");
        assertThat(ranges.errno()).isEqualTo(Errno.ERANGE);
        assertThat(ranges.getMessage()).contains("2 problems");
    }

    @Test
    void badUpstreamWindowsKeysAreStillChecked() {
        DemiException e = parseFailure("raw_socket: {xdp_tcp_ports: [80, 70000], xdp_reserved_port_protocol: sctp}");

        assertThat(e.getMessage()).contains("raw_socket.xdp_tcp_ports[1]: must be in 0..65535, was 70000")
                .contains("raw_socket.xdp_reserved_port_protocol: must be tcp or udp, was 'sctp'");
    }

    @Test
    void anInterfaceNameLongerThanLinuxAllowsIsEinval() {
        DemiException e = parseFailure("raw_socket: {linux_interface_name: a-very-long-interface-name}");

        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
        assertThat(e.getMessage()).contains("raw_socket.linux_interface_name: 'a-very-long-interface-name' is not an"
                + " interface name");
    }

    @Test
    void nullInputIsEinvalNotANullPointer() {
        assertThat(catchThrowableOfType(DemiException.class, () -> Config.parse(null)).errno())
                .isEqualTo(Errno.EINVAL);
        assertThat(catchThrowableOfType(DemiException.class, () -> Config.load(null)).errno())
                .isEqualTo(Errno.EINVAL);
    }

    @Test
    void theInetstackRequiresItsAddressesAndNamesEachMissingKey() {
        DemiException both = catchThrowableOfType(DemiException.class, () -> Config.defaults().requireInetstack());
        DemiException mac = catchThrowableOfType(DemiException.class,
                () -> Config.parse("demikernel: {local_ipv4_addr: 10.0.0.1}").requireInetstack());

        assertThat(both.errno()).isEqualTo(Errno.EINVAL);
        assertThat(both.getMessage()).contains("demikernel.local_ipv4_addr: required")
                .contains("demikernel.local_link_addr: required");
        assertThat(mac.getMessage()).contains("demikernel.local_link_addr").doesNotContain("local_ipv4_addr");
    }
}
