package dev.jdemi.tools.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.List;

/**
 * The latency plot of one scenario: for each peer, the fraction of round trips that took at most a given time (the
 * CDF), on a logarithmic time axis so that the floor and the slowest peer fit together.
 */
public final class CdfChart {
    /** The PNG's size in pixels. */
    public static final int WIDTH = 1000;
    /** The PNG's height. */
    public static final int HEIGHT = 600;

    private CdfChart() {
    }

    /**
     * Draws the CDF of every peer with figures and writes it as a PNG.
     *
     * @param file the PNG to write
     * @param scenario the scenario, for the title
     * @param peers the peers, in legend order
     * @param histograms each peer's round trips in ns, same order; an empty one is left out
     * @param subtitle the line under the title (date, CPU, kernel)
     * @throws IOException when the file cannot be written
     */
    public static void write(Path file, EchoScenario scenario, List<EchoPeer> peers, List<Histogram> histograms,
            String subtitle) throws IOException {
        write(file, "TCP echo round trips, " + scenario.label() + ": CDF", peers, histograms, subtitle);
    }

    /**
     * Draws the CDF of every peer with figures under a title of the caller's and writes it as a PNG.
     *
     * @param file the PNG to write
     * @param title the chart's title
     * @param peers the peers, in legend order
     * @param histograms each peer's round trips in ns, same order; an empty one is left out
     * @param subtitle the line under the title (date, CPU, kernel)
     * @throws IOException when the file cannot be written
     */
    public static void write(Path file, String title, List<EchoPeer> peers, List<Histogram> histograms,
            String subtitle) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYSeriesCollection data = new XYSeriesCollection();
        for (int i = 0; i < peers.size(); i++) {
            Histogram h = histograms.get(i);
            if (h.getTotalCount() == 0) {
                continue;
            }
            XYSeries series = new XYSeries(peers.get(i).id(), true, true);
            double total = h.getTotalCount();
            long cumulative = 0;
            for (HistogramIterationValue v : h.recordedValues()) {
                cumulative += v.getCountAtValueIteratedTo();
                series.addOrUpdate(h.highestEquivalentValue(v.getValueIteratedTo()) / 1e3, cumulative / total);
            }
            data.addSeries(series);
        }
        LogAxis time = new LogAxis("round-trip time (µs, log scale)");
        time.setSmallestValue(1);
        // One tick per decade (a LogAxis counts its tick unit in powers of ten).
        time.setAutoTickUnitSelection(false);
        time.setTickUnit(new NumberTickUnit(1.0));
        time.setMinorTickCount(9);
        time.setMinorTickMarksVisible(true);
        time.setNumberFormatOverride(new DecimalFormat("#,##0.#"));
        NumberAxis fraction = new NumberAxis("fraction of round trips ≤ time");
        fraction.setRange(0, 1.0);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        XYPlot plot = new XYPlot(data, time, fraction, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.addSubtitle(new TextTitle(subtitle));
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }
}
