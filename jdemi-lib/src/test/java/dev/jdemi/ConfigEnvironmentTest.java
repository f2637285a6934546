package dev.jdemi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code CONFIG_PATH} and upstream's environment overrides, over an injected environment. */
class ConfigEnvironmentTest {

    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    private static DemiException failure(Map<String, String> env) {
        return catchThrowableOfType(DemiException.class, () -> Config.fromEnvironment(env));
    }

    @Test
    void withoutConfigPathTheDefaultsApply() {
        assertThat(Config.fromEnvironment(Map.of())).isEqualTo(Config.defaults());
        assertThat(Config.fromEnvironment(Map.of("HOME", "/root", "LIBOS", "catnap"))).isEqualTo(Config.defaults());
    }

    @Test
    void configPathLoadsTheFile() {
        String alice = ConfigTest.resource("alice.yaml").toString();

        assertThat(Config.fromEnvironment(env("CONFIG_PATH", alice))).isEqualTo(Config.load(Path.of(alice)));
    }

    @Test
    void everyOverrideReplacesItsKeyFromTheFile() {
        Config config = Config.fromEnvironment(env(
                "CONFIG_PATH", ConfigTest.resource("alice.yaml").toString(),
                "LOCAL_IPV4_ADDR", "192.168.1.9",
                "LOCAL_LINK_ADDR", "02:00:00:00:00:09",
                "LINGER", "7",
                "NODELAY", "false",
                "ARP_CACHE_TTL", "60",
                "ARP_REQUEST_TIMEOUT", "3",
                "ARP_REQUEST_RETRIES", "4",
                "MTU", "1400",
                "MSS", "1360",
                "LINUX_INTERFACE_NAME", "eth9",
                "XDP_INTERFACE_INDEX", "12",
                "JDEMI_WAIT_POLICY", "block"));

        assertThat(config.localIpv4Addr()).isEqualTo(ConfigTest.ip("192.168.1.9"));
        assertThat(config.localLinkAddr()).isEqualTo(MacAddress.parse("02:00:00:00:00:09"));
        assertThat(config.tcpSocketOptions().linger()).isEqualTo(new Linger(true, 7));
        assertThat(config.tcpSocketOptions().nodelay()).isFalse();
        assertThat(config.inetstack().arpCacheTtlMillis()).isEqualTo(60_000);
        assertThat(config.inetstack().arpRequestTimeoutMillis()).isEqualTo(3000);
        assertThat(config.inetstack().arpRequestRetries()).isEqualTo(4);
        assertThat(config.inetstack().mtu()).isEqualTo(1400);
        assertThat(config.inetstack().mss()).isEqualTo(1360);
        assertThat(config.linuxInterfaceName()).isEqualTo("eth9");
        assertThat(config.xdpInterfaceIndex()).isEqualTo(12);
        assertThat(config.jdemi().waitPolicy()).isEqualTo(WaitPolicy.BLOCK);
        // What no variable overrides still comes from the file.
        assertThat(config.inetstack().arpTable()).hasSize(3);
    }

    @Test
    void overridesApplyWithoutAFileToo() {
        Config config = Config.fromEnvironment(
                env("LOCAL_IPV4_ADDR", "10.1.1.1", "LOCAL_LINK_ADDR", "02:00:00:00:00:01"));

        assertThat(config.requireInetstack().localIpv4Addr()).isEqualTo(ConfigTest.ip("10.1.1.1"));
    }

    @ParameterizedTest
    @CsvSource({"true, true", "TRUE, true", "1, true", "false, false", "0, false"})
    void nodelayAcceptsTrueFalseOneAndZero(String value, boolean expected) {
        assertThat(Config.fromEnvironment(env("NODELAY", value)).tcpSocketOptions().nodelay()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "LOCAL_IPV4_ADDR     | 0.0.0.0",
        "LOCAL_IPV4_ADDR     | 10.0.0",
        "LOCAL_LINK_ADDR     | 12-23-45",
        "LINGER              | -1",
        "LINGER              | five",
        "NODELAY             | yes",
        "ARP_CACHE_TTL       | 0",
        "ARP_REQUEST_TIMEOUT | 1.5",
        "ARP_REQUEST_RETRIES | 99999999999",
        "MTU                 | 20",
        "MTU                 | 70000",
        "MSS                 | 100",
        "LINUX_INTERFACE_NAME| has space",
        "XDP_INTERFACE_INDEX | -1",
        "JDEMI_WAIT_POLICY   | sleep",
    })
    void aBadValueIsEinvalNamingTheVariable(String variable, String value) {
        DemiException e = failure(env(variable, value));

        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
        assertThat(e.getMessage()).contains(variable + ": ").contains("(environment variable)");
    }

    @Test
    void anMtuAbove1500FromTheEnvironmentNamesTheVariable() {
        DemiException e = failure(env("MTU", "9000"));

        assertThat(e.getMessage()).contains("MTU: 9000 exceeds 1500").contains("(environment variable)");
    }

    @Test
    void anMtuAbove1500IsFineWhenTheFileEnablesJumboFrames() {
        Config config = Config.fromEnvironment(env("CONFIG_PATH", ConfigTest.resource("full.yaml").toString(),
                "MTU", "9216"));

        assertThat(config.inetstack().mtu()).isEqualTo(9216);
    }

    @Test
    void fileAndEnvironmentProblemsAreReportedTogether() {
        DemiException e = failure(env("CONFIG_PATH", ConfigTest.resource("many-problems.yaml").toString(),
                "NODELAY", "maybe", "MTU", "x"));

        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
        assertThat(e.getMessage()).contains("7 problems").contains("inetstack_config.mss: must be in 536..65535")
                .contains("NODELAY: must be true, false, 1 or 0, was 'maybe'")
                .contains("MTU: must be a decimal integer, was 'x'");
    }

    @Test
    void aConfigPathToNowhereIsEinvalNamingIt() {
        DemiException e = failure(env("CONFIG_PATH", "/nonexistent/jdemi.yaml"));

        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
        assertThat(e.getMessage()).contains("CONFIG_PATH").contains("/nonexistent/jdemi.yaml does not exist");
    }

    @Test
    void anEmptyConfigPathIsEinvalRatherThanSilentlyIgnored() {
        DemiException e = failure(env("CONFIG_PATH", ""));

        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
        assertThat(e.getMessage()).contains("CONFIG_PATH is set but empty");
    }
}
