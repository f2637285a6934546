package dev.jdemi.systest;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What every interop test of jdemi against the Linux kernel over one link sets up and tears down: the link, a capture
 * on the kernel's interface, one jdemi peer started before the checks, and the printed table of checks. Skipped, with
 * the reason printed, where the test cannot run (not root, a tool missing). {@link UdpInteropChecks} and
 * {@link TcpInteropChecks} add the checks; their subclasses say only which link and which device.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class InteropChecks {
    @RegisterExtension
    final CheckTable checks = new CheckTable();
    /** The link, open from set-up to tear-down. */
    KernelLink link;
    /** The capture on the kernel's interface. */
    KernelCapture capture;
    /** The jdemi peer {@link #startJdemi} started, READY. */
    ChildJvm jdemi;

    /** {@return the device word of {@link PeerDevice} jdemi opens} */
    abstract String device();

    /** {@return why the test cannot run here, or null when it can} */
    String cannotRun() {
        return Veth.cannotRun();
    }

    /** {@return a new link for the test; it is closed at the end} */
    abstract KernelLink openLink();

    /** {@return the title of the printed table of checks} */
    abstract String title();

    /** {@return the jdemi peer on {@link #link}, started; set-up waits for its READY} */
    abstract ChildJvm startJdemi() throws Exception;

    @BeforeAll
    void setUp() throws Exception {
        String reason = cannotRun();
        if (reason != null) {
            System.out.println("SKIPPED " + getClass().getSimpleName() + ": " + reason);
        }
        Assumptions.assumeTrue(reason == null, reason);
        link = openLink();
        capture = KernelCapture.start(link.kernelNs(), link.kernelIf());
        jdemi = startJdemi();
        jdemi.expect("READY", 30);
    }

    @AfterAll
    void tearDown() {
        try {
            if (jdemi != null) {
                jdemi.close();
            }
            if (capture != null) {
                capture.close();
            }
        } finally {
            if (link != null) {
                link.close();
            }
            checks.print(title());
        }
    }
}
