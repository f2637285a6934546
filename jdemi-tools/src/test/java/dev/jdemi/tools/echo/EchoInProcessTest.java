package dev.jdemi.tools.echo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.StringWriter;
import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tcp-echo server and client on two threads of this process, each with its own catnap LibOS.
 */
class EchoInProcessTest {
    @ParameterizedTest(name = "{0} clients x {1} requests of {2} B, {3}")
    @CsvSource({
        "1, 500, 64, SEQUENTIAL",
        "4, 100, 64, CONCURRENT",
        "3, 50, 1024, SEQUENTIAL",
        // Larger than one kernel read (8192 bytes): the client reassembles each reply from several pops.
        "2, 20, 20000, CONCURRENT",
    })
    void clientGetsEveryRequestEchoed(int nclients, int nrequests, int bufsize, RunMode mode) throws Exception {
        InetSocketAddress address = EchoThreads.freeLoopbackAddress();
        EchoThreads.Server server = new EchoThreads.Server(address);
        try {
            server.awaitListening();
            StringWriter log = new StringWriter();
            EchoClient.Report report = EchoThreads.runClient(
                    new EchoClient.Settings(address, bufsize, nclients, nrequests, 0, mode, 0), log);

            long expectedBytes = (long) nclients * nrequests * bufsize;
            assertThat(report.errors()).as(log.toString()).isZero();
            assertThat(report.connected()).isEqualTo(nclients);
            assertThat(report.stats().requests()).isEqualTo((long) nclients * nrequests);
            assertThat(report.stats().bytes()).isEqualTo(expectedBytes);
            assertThat(report.stats().histogram().getTotalCount()).isEqualTo((long) nclients * nrequests);
            assertThat(log.toString()).contains("INFO: " + nclients + " clients connected")
                    .contains("INFO: stopping, " + expectedBytes + " bytes transferred");
            assertThat(server.awaitDone()).as("bytes the server echoed").isEqualTo(expectedBytes);
            assertThat(server.log.toString()).contains("INFO: listening on " + address.getAddress().getHostAddress()
                    + ":" + address.getPort());
        } finally {
            server.stop();
        }
    }

    @Test
    void timedRunStopsAfterItsDuration() throws Exception {
        InetSocketAddress address = EchoThreads.freeLoopbackAddress();
        EchoThreads.Server server = new EchoThreads.Server(address);
        try {
            server.awaitListening();
            long durationNs = 300_000_000L;
            EchoClient.Report report = EchoThreads.runClient(
                    new EchoClient.Settings(address, 64, 1, 0, durationNs, RunMode.SEQUENTIAL, 0), new StringWriter());

            assertThat(report.failed()).isFalse();
            assertThat(report.stats().requests()).isPositive();
            assertThat(report.stats().elapsedNs()).isBetween(durationNs, durationNs + 1_000_000_000L);
            server.awaitDone();
        } finally {
            server.stop();
        }
    }

    @Test
    void connectingToNothingIsAnError() throws Exception {
        InetSocketAddress nobody = EchoThreads.freeLoopbackAddress();
        StringWriter log = new StringWriter();
        EchoClient.Report report = EchoThreads.runClient(
                new EchoClient.Settings(nobody, 64, 1, 10, 0, RunMode.SEQUENTIAL, 0), log);

        assertThat(report.failed()).isTrue();
        assertThat(report.connected()).isZero();
        assertThat(log.toString()).contains("ERROR: failed to connect to").contains("ECONNREFUSED");
    }
}
