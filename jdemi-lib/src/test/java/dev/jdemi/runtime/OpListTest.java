package dev.jdemi.runtime;

import dev.jdemi.Opcode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OpListTest {
    private final Operations ops = new Operations();

    @Test
    void keepsFifoOrderAndRemovesFromTheMiddleOnCompletion() {
        OpList list = new OpList();
        Operation a = ops.start(Opcode.PUSH, 500);
        Operation b = ops.start(Opcode.PUSH, 500);
        Operation c = ops.start(Opcode.PUSH, 500);
        list.add(a);
        list.add(b);
        list.add(c);
        b.complete();
        assertThat(list.size()).isEqualTo(2);
        assertThat(list.poll()).isSameAs(a);
        assertThat(list.poll()).isSameAs(c);
        assertThat(list.isEmpty()).isTrue();
    }

    @Test
    void anOperationCanBeInATransportListAndAPendingListAtOnce() {
        OpList transport = new OpList();
        OpList pending = new OpList();
        Operation op = ops.start(Opcode.POP, 500);
        transport.add(op);
        pending.addPending(op);
        op.fail(9);
        assertThat(transport.isEmpty()).isTrue();
        assertThat(pending.isEmpty()).isTrue();
    }

    @Test
    void addFirstPutsBackAtTheFront() {
        OpList list = new OpList();
        Operation a = ops.start(Opcode.PUSH, 500);
        Operation b = ops.start(Opcode.PUSH, 500);
        list.add(b);
        list.addFirst(a);
        assertThat(list.peek()).isSameAs(a);
    }
}
