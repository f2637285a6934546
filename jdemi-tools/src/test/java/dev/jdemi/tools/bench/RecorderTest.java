package dev.jdemi.tools.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RecorderTest {
    private static final EchoScenario SCENARIO = new EchoScenario(64, 1);

    @Test
    void onlyRequestsSentInsideTheWindowCount() {
        Recorder recorder = new Recorder(16);
        recorder.begin(1_000_000_000L, 60_000_000_000L);
        long start = System.nanoTime();

        assertThat(recorder.complete(start, start + 1_000)).as("a warm-up request").isTrue();
        long inWindow = start + 2_000_000_000L;
        assertThat(recorder.complete(inWindow, inWindow + 5_000)).isTrue();

        RunFile.Result result = recorder.result(SCENARIO);
        assertThat(result.requests()).isEqualTo(1);
        assertThat(result.rttNs()).containsExactly(5_000);
    }

    @Test
    void aWindowWithoutAnyRequestWaitsForOne() {
        Recorder recorder = new Recorder(16);
        recorder.begin(0, 1);
        long end = recorder.endNs();

        // Sent as the 1 ns window opened, complete after it closed.
        assertThat(recorder.complete(end - 1, end + 10)).as("the only request, late").isFalse();
        assertThat(recorder.result(SCENARIO).rttNs()).containsExactly(11);
        assertThat(recorder.over()).isTrue();
    }

    @Test
    void aLateWarmUpRequestAsksForOneMoreInsideTheWindow() {
        Recorder recorder = new Recorder(16);
        recorder.begin(0, 1);
        long end = recorder.endNs();

        assertThat(recorder.complete(end - 1_000_000_000L, end + 10)).as("sent before the window").isTrue();
        assertThat(recorder.over()).as("nothing measured yet").isFalse();
        assertThat(recorder.complete(end + 20, end + 30)).isFalse();
        assertThat(recorder.result(SCENARIO).requests()).isEqualTo(1);
    }

    @Test
    void pastTheCapacityRequestsAreCountedNotKept() {
        Recorder recorder = new Recorder(2);
        recorder.begin(0, 60_000_000_000L);
        long now = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            recorder.complete(now, now + i);
        }
        RunFile.Result result = recorder.result(SCENARIO);
        assertThat(result.requests()).isEqualTo(5);
        assertThat(result.rttNs()).containsExactly(0, 1);
    }
}
