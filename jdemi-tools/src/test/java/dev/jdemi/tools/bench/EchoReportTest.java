package dev.jdemi.tools.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The ratios and the goal verdicts, from figures made up for the purpose. */
class EchoReportTest {
    private static final EchoScenario LATENCY = new EchoScenario(64, 1);

    private static EchoPeer peer(String id, EchoPeer.Kind kind) {
        return new JvmPeer(id, kind, id, () -> null, () -> null);
    }

    /** A cell whose every round trip took {@code rttNs}, over one second with {@code requests} requests. */
    private static EchoBench.Cell cell(int rttNs, int requests) {
        EchoBench.Cell cell = new EchoBench.Cell();
        int[] rtt = new int[requests];
        java.util.Arrays.fill(rtt, rttNs);
        cell.add(new RunFile.Result(LATENCY, 1_000_000_000L, requests, rtt));
        return cell;
    }

    private static EchoReport report(int floorNs, int nioNs, int nettyNs, int catnapNs) {
        List<EchoPeer> peers = List.of(peer("c-floor", EchoPeer.Kind.FLOOR), peer("nio", EchoPeer.Kind.JAVA),
                peer("netty", EchoPeer.Kind.JAVA), peer("catnap", EchoPeer.Kind.JDEMI));
        int[] rtts = {floorNs, nioNs, nettyNs, catnapNs};
        Map<String, Map<EchoScenario, EchoBench.Cell>> cells = new LinkedHashMap<>();
        for (int i = 0; i < peers.size(); i++) {
            cells.put(peers.get(i).id(), Map.of(LATENCY, cell(rtts[i], 1_000_000_000 / rtts[i])));
        }
        EchoBench.Settings settings = new EchoBench.Settings(peers, List.of(LATENCY), 1, 0, 1000, true, Path.of("."));
        return new EchoReport(settings, new EchoBench.Outcome(cells, Map.of()), Map.of());
    }

    @Test
    void ratiosAreToTheFloorAndTheBestJavaPeer() {
        String tables = report(10_000, 20_000, 40_000, 11_000).tables();

        assertThat(tables).contains("| c-floor | 10.0 | 10.0 | 10.0 | 100,000 | 1.00× | 0.50× | 1.00× | 2.00× |");
        assertThat(tables).contains("| nio ¹ ² | 20.0 | 20.0 | 20.0 | 50,000 | 2.00× | 1.00× | 0.50× | 1.00× |");
        assertThat(tables).contains("| netty | 40.0 | 40.0 | 40.0 | 25,000 | 4.00× | 2.00× | 0.25× | 0.50× |");
        assertThat(tables).contains("| catnap | 11.0 | 11.0 | 11.0 | 90,909 | 1.10× | 0.55× | 0.91× | 1.82× |");
    }

    @Test
    void goalsMetWhenWithinTheFloorsMarginAndFarAheadOfJava() {
        assertThat(report(10_000, 20_000, 40_000, 11_000).goals())
                .contains("catnap: 1.10× the C floor (goal ≤ 1.15×: met)",
                        "(nio) ÷ this p50 = 1.82× (goal ≥ 1.30×: met)");
    }

    @Test
    void goalsNotMetAreSaidSo() {
        assertThat(report(10_000, 13_000, 40_000, 12_000).goals())
                .contains("catnap: 1.20× the C floor (goal ≤ 1.15×: NOT met)",
                        "(nio) ÷ this p50 = 1.08× (goal ≥ 1.30×: NOT met)");
    }
}
