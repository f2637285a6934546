package dev.jdemi.catmem;

import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;
import dev.jdemi.conformance.ApiConformanceSuite;

import java.net.InetSocketAddress;
import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;

/**
 * Runs the API conformance suite on catloop: two catloop instances in the test's thread, connected over catmem pipes
 * in {@code /dev/shm}. catloop has no UDP, so the suite's UDP cases are skipped ({@link #hasUdp()}).
 *
 * <p>Addresses are random loopback addresses (127.x.y.z, any port), so runs of this test in parallel builds on one
 * host do not collide in the pipe namespace.
 */
@DisplayName("catloop conforms to the API (TCP part)")
class CatloopConformanceTest extends ApiConformanceSuite {
    private final SplittableRandom random = new SplittableRandom();
    /** A third LibOS holding listeners that never accept: connects to them stay pending. */
    private LibOS silent;

    @Override
    protected LibOS openServer() {
        return LibOS.open(LibOSName.CATLOOP);
    }

    @Override
    protected LibOS openClient() {
        return LibOS.open(LibOSName.CATLOOP);
    }

    @Override
    protected boolean hasUdp() {
        return false;
    }

    @Override
    protected InetSocketAddress serverAddress() {
        return randomLoopback();
    }

    @Override
    protected InetSocketAddress refusingAddress() {
        return randomLoopback();
    }

    @Override
    protected InetSocketAddress nonLocalAddress() {
        return new InetSocketAddress(ipv4(192, 0, 2, 1), 1 + random.nextInt(65535));
    }

    /** A listener of a LibOS nobody drives: catloop completes a connect only when the listener accepts. */
    @Override
    protected InetSocketAddress silentAddress() {
        if (silent == null) {
            silent = LibOS.open(LibOSName.CATLOOP);
        }
        int qd = silent.socket(LibOS.AF_INET, LibOS.SOCK_STREAM, 0);
        InetSocketAddress address = randomLoopback();
        silent.bind(qd, address);
        silent.listen(qd, 1);
        return address;
    }

    @AfterEach
    void closeSilent() {
        if (silent != null) {
            silent.close();
            silent = null;
        }
    }

    private InetSocketAddress randomLoopback() {
        return new InetSocketAddress(ipv4(127, 1 + random.nextInt(254), random.nextInt(256), 1 + random.nextInt(254)),
                1 + random.nextInt(49151));
    }
}
