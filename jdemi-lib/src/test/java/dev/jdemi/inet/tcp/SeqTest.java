package dev.jdemi.inet.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeqTest {
    @Test
    void comparesAcrossTheWrap() {
        int before = 0xFFFF_FFF0;
        int after = 0x0000_0010;
        assertThat(Seq.lt(before, after)).isTrue();
        assertThat(Seq.gt(after, before)).isTrue();
        assertThat(Seq.leq(before, before)).isTrue();
        assertThat(Seq.geq(after, before)).isTrue();
        assertThat(Seq.max(before, after)).isEqualTo(after);
        assertThat(Seq.min(before, after)).isEqualTo(before);
        assertThat(Seq.inRange(0, before, after)).isTrue();
        assertThat(Seq.inRange(after, before, after)).isFalse();
        assertThat(Seq.inRange(before, before, after)).isTrue();
        assertThat(Seq.inRange(0x7000_0000, before, after)).isFalse();
    }

    @Test
    void ordinaryNumbersCompareAsInts() {
        assertThat(Seq.lt(1, 2)).isTrue();
        assertThat(Seq.lt(2, 1)).isFalse();
        assertThat(Seq.lt(1, 1)).isFalse();
        assertThat(Seq.gt(Integer.MIN_VALUE, Integer.MAX_VALUE)).isTrue();
    }
}
