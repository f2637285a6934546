package dev.jdemi.tools.options;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AddressesTest {
    @Test
    void parsesIpv4AndPort() {
        InetSocketAddress address = Addresses.parse("192.168.1.20:12345");
        assertThat(address.getAddress().getHostAddress()).isEqualTo("192.168.1.20");
        assertThat(address.getPort()).isEqualTo(12345);
        assertThat(address.isUnresolved()).isFalse();
    }

    @Test
    void formatsBackToTheSameText() {
        assertThat(Addresses.format(Addresses.parse("10.0.0.255:0"))).isEqualTo("10.0.0.255:0");
    }

    @Test
    void rejectsHostNamesWithoutLookingThemUp() {
        assertThatThrownBy(() -> Addresses.parse("example.invalid:80"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'example.invalid' is not an IPv4 address");
    }

    @Test
    void rejectsAPortOutOfRange() {
        assertThatThrownBy(() -> Addresses.parse("1.2.3.4:70000")).hasMessageContaining("0 to 65535");
    }

    @Test
    void rejectsAMissingPort() {
        assertThatThrownBy(() -> Addresses.parse("1.2.3.4")).hasMessageContaining("is not IP:PORT");
    }
}
