package dev.jdemi.inet.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The four-tuple table against a HashMap model under random adds and removes (backward-shift deletion). */
class ConnectionTableTest {
    @Test
    void agreesWithAHashMapUnderRandomChurn() {
        TcpStack stack = new TcpStack(new TcpConfig().deterministic(true).receiveBufferBytes(1024)
                .sendBufferBytes(1024), s -> { }, 1, 2);
        ConnectionTable table = new ConnectionTable();
        Map<String, TcpConnection> model = new HashMap<>();
        List<TcpConnection> live = new ArrayList<>();
        Random r = new Random(5);
        for (int step = 0; step < 20_000; step++) {
            if (live.isEmpty() || r.nextInt(3) != 0) {
                // Few distinct addresses and ports so probe runs collide and wrap.
                int la = r.nextInt(3);
                int lp = r.nextInt(40);
                int ra = r.nextInt(3);
                int rp = r.nextInt(40);
                String key = la + ":" + lp + ">" + ra + ":" + rp;
                if (model.containsKey(key)) {
                    continue;
                }
                TcpConnection c = new TcpConnection(stack, la, lp, ra, rp);
                table.add(c);
                model.put(key, c);
                live.add(c);
            } else {
                TcpConnection c = live.remove(r.nextInt(live.size()));
                table.remove(c);
                model.remove(c.localAddr + ":" + c.localPort + ">" + c.remoteAddr + ":" + c.remotePort);
            }
            if (step % 97 == 0) {
                for (TcpConnection c : model.values()) {
                    if (table.find(c.localAddr, c.localPort, c.remoteAddr, c.remotePort) != c) {
                        throw new AssertionError("lost " + c);
                    }
                }
                assertThat(table.find(7, 7, 7, 7)).isNull();
                assertThat(table.size()).isEqualTo(model.size());
                java.util.Set<TcpConnection> values = java.util.Collections.newSetFromMap(
                        new java.util.IdentityHashMap<>());
                values.addAll(model.values());
                for (int i = 0; i < table.size(); i++) {
                    if (!values.remove(table.get(i))) {
                        throw new AssertionError("dense view holds a stranger at " + i);
                    }
                }
                assertThat(values).isEmpty();
            }
        }
    }
}
