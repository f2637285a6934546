package dev.jdemi.tools.echo;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TokensTest {
    @Test
    void removeSwapsTheLastTokenIntoTheHole() {
        Tokens tokens = new Tokens(2);
        tokens.add(11, 1);
        tokens.add(22, 2);
        tokens.add(33, 3);
        assertThat(tokens.removeAt(0)).isEqualTo(1);
        assertThat(tokens.count()).isEqualTo(2);
        assertThat(tokens.qts()[0]).isEqualTo(33);
        assertThat(tokens.ownerAt(0)).isEqualTo(3);
        assertThat(tokens.qts()[1]).isEqualTo(22);
    }

    @Test
    void growsPastItsCapacity() {
        Tokens tokens = new Tokens(1);
        for (int i = 0; i < 100; i++) {
            tokens.add(1000 + i, i);
        }
        assertThat(tokens.count()).isEqualTo(100);
        assertThat(tokens.qts()[99]).isEqualTo(1099);
        assertThat(tokens.ownerAt(99)).isEqualTo(99);
    }

    @Test
    void orphanMarksEveryTokenOfAnOwner() {
        Tokens tokens = new Tokens(4);
        tokens.add(1, 7);
        tokens.add(2, 8);
        tokens.add(3, 7);
        tokens.orphan(7);
        assertThat(tokens.ownerAt(0)).isEqualTo(Tokens.ORPHAN);
        assertThat(tokens.ownerAt(1)).isEqualTo(8);
        assertThat(tokens.ownerAt(2)).isEqualTo(Tokens.ORPHAN);
    }
}
