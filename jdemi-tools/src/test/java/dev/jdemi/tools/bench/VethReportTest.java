package dev.jdemi.tools.bench;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The ratios, the stack's cost per side and the verdicts of {@code bench veth}, from figures made up for them. */
class VethReportTest {
    private static VethReport.Stats stats(double p50, double p99) {
        return new VethReport.Stats(p50, p99, p99 * 2, 1000);
    }

    private static VethReport.Row row(String id, VethPeer.Role role, VethDevice device, VethReport.Stats stats) {
        return new VethReport.Row(id, role, device, stats, null);
    }

    /** Floors 5 and 900 µs, catpowder 6.5 (V2: 0.75 µs per side) and 920 µs (V3: 10 µs per side), kernel 20. */
    private static VethReport report() {
        List<VethReport.Row> rows = new ArrayList<>();
        rows.add(new VethReport.Row("floor-v2", VethPeer.Role.FRAME_FLOOR, VethDevice.V2, stats(5, 10), null,
                List.of(4.0, 6.0)));
        rows.add(row("catpowder-v2", VethPeer.Role.CATPOWDER, VethDevice.V2, stats(6.5, 12)));
        rows.add(row("floor-v3", VethPeer.Role.FRAME_FLOOR, VethDevice.V3, stats(900, 1000)));
        rows.add(row("catpowder-v3", VethPeer.Role.CATPOWDER, VethDevice.V3, stats(920, 1100)));
        rows.add(new VethReport.Row("floor-xdp", VethPeer.Role.FRAME_FLOOR, VethDevice.XDP, null, "EOPNOTSUPP: later"));
        rows.add(new VethReport.Row("catpowder-xdp", VethPeer.Role.CATPOWDER, VethDevice.XDP, null,
                "EOPNOTSUPP: later"));
        rows.add(row("kernel-tcp", VethPeer.Role.KERNEL_TCP, null, stats(20, 40)));
        rows.add(row("catnap", VethPeer.Role.CATNAP, null, stats(25, 60)));
        return new VethReport(rows);
    }

    @Test
    void theStackCostsHalfTheDifferencePerSide() {
        assertThat(VethReport.stackCostPerSide(8, 5)).isCloseTo(1.5, within(1e-9));
        assertThat(VethReport.stackCostPerSide(5, 5)).isZero();
    }

    @Test
    void theTableHasRatiosToKernelTcpAndTheCostPerSide() {
        String table = report().table();

        assertThat(table).contains("| floor-v2 | AF_PACKET V2 | 5.0 | 10.0 | 20.0 | 4.0, 6.0 | 5.0 | 0.25× | 0.25× "
                + "|  |  |");
        assertThat(table).contains("| catpowder-v2 | AF_PACKET V2 | 6.5 | 12.0 | 24.0 |  | 6.5 | 0.33× | 0.30× "
                + "| 0.75 | PASS |");
        assertThat(table).contains("| catpowder-v3 | AF_PACKET V3 | 920.0 | 1100.0 | 2200.0 |  | 920.0 | 46.00× "
                + "| 27.50× | 10.00 | FAIL |");
        assertThat(table).contains("| kernel-tcp | kernel sockets | 20.0 | 40.0 | 80.0 |  | 20.0 | 1.00× | 1.00× "
                + "|  |  |");
        assertThat(table).contains("| catnap | kernel sockets | 25.0 | 60.0 | 120.0 |  | 25.0 | 1.25× | 1.50× "
                + "|  |  |");
        assertThat(table).contains("| catpowder-xdp | AF_XDP | n/a: EOPNOTSUPP: later |");
    }

    @Test
    void theGoalsArePassedOrFailedPerDevice() {
        String goals = report().goals();

        assertThat(goals).contains("- AF_PACKET V2: stack cost per side 0.75 µs at the median round's p50 (0.75 µs "
                + "at the p50 of all round trips, 1.00 µs at p99): PASS; "
                + "0.33× kernel TCP's p50 (0.30× at p99): beats it, PASS");
        assertThat(goals).contains("- AF_PACKET V3: stack cost per side 10.00 µs at the median round's p50 (10.00 "
                + "µs at the p50 of all round trips, 50.00 µs at p99): FAIL; "
                + "46.00× kernel TCP's p50 (27.50× at p99): does not beat it, FAIL");
        assertThat(goals).contains("- AF_XDP: n/a (EOPNOTSUPP: later)");
    }

    @Test
    void theVerdictsUseTheMedianRoundNotTheFastRoundsThatHoldMostRoundTrips() {
        // Over all round trips catpowder's p50 looks 0.25 µs per side above the floor, but three rounds of five
        // were slow: the median round says 2 µs.
        VethReport report = new VethReport(List.of(
                new VethReport.Row("floor-v2", VethPeer.Role.FRAME_FLOOR, VethDevice.V2, stats(5, 10), null,
                        List.of(5.0, 5.5, 4.5, 5.0, 5.0)),
                new VethReport.Row("catpowder-v2", VethPeer.Role.CATPOWDER, VethDevice.V2, stats(5.5, 12), null,
                        List.of(13.0, 9.0, 5.5, 6.0, 14.0)),
                new VethReport.Row("kernel-tcp", VethPeer.Role.KERNEL_TCP, null, stats(10, 40), null,
                        List.of(11.0, 12.0, 10.0))));

        assertThat(report.table()).contains("| catpowder-v2 | AF_PACKET V2 | 5.5 | 12.0 | 24.0 | 13.0, 9.0, 5.5, 6.0, "
                + "14.0 | 9.0 | 0.82× | 0.30× | 2.00 | FAIL |");
        assertThat(report.goals()).contains("stack cost per side 2.00 µs at the median round's p50 (0.25 µs at the "
                + "p50 of all round trips", "FAIL; 0.82× kernel TCP's p50");
        assertThat(VethReport.median(List.of(3.0, 1.0, 2.0, 10.0))).isEqualTo(2.5);
    }

    @Test
    void theRingsAreComparedWithARecommendation() {
        String rings = report().ringComparison();

        assertThat(rings).contains("bare frame round trip: V3 − V2 = +895.0 µs at p50, +990.0 µs at p99");
        assertThat(rings).contains("catpowder TCP echo: V3 − V2 = +913.5 µs at p50, +1088.0 µs at p99");
        assertThat(rings).contains("recommendation: make TPACKET_V2 catpowder's default ring");
    }

    @Test
    void theRecommendationFollowsTheFigures() {
        assertThat(VethReport.recommendation(stats(10, 100), stats(900, 1000))).contains("make TPACKET_V2");
        assertThat(VethReport.recommendation(stats(10, 2000), stats(900, 1000))).contains("no clear winner");
        assertThat(VethReport.recommendation(stats(10, 100), stats(9, 100))).contains("keep TPACKET_V3");
    }

    @Test
    void withoutKernelTcpOrAFloorTheRatiosAreLeftOut() {
        VethReport report = new VethReport(List.of(row("catpowder-v2", VethPeer.Role.CATPOWDER, VethDevice.V2,
                stats(6, 12))));

        assertThat(report.table())
                .contains("| catpowder-v2 | AF_PACKET V2 | 6.0 | 12.0 | 24.0 |  | 6.0 | – | – | no floor |  |");
        assertThat(report.goals()).contains("no floor to compare with; no kernel TCP to compare with");
        assertThat(report.ringComparison()).isEmpty();
    }

    @Test
    void statsComeFromTheHistogramInMicroseconds() {
        Histogram h = new Histogram(1, 10_000_000_000L, 3);
        for (int i = 1; i <= 1000; i++) {
            h.recordValue(i * 1000L);
        }
        VethReport.Stats stats = VethReport.Stats.of(h);

        assertThat(stats.p50Us()).isCloseTo(500, within(1.0));
        assertThat(stats.p99Us()).isCloseTo(990, within(1.0));
        assertThat(stats.p999Us()).isCloseTo(999, within(1.0));
        assertThat(stats.samples()).isEqualTo(1000);
        assertThat(VethReport.Stats.of(new Histogram(3))).isNull();
    }
}
