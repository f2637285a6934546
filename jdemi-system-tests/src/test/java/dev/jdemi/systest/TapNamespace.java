package dev.jdemi.systest;

import static dev.jdemi.systest.Veth.run;
import static dev.jdemi.systest.Veth.runAny;

/**
 * A temporary network namespace with a persistent TAP interface in it: the kernel's side of the TAP carries
 * {@link #KERNEL_IP}, and jdemi, run in the same namespace on the TAP device, is the far end of the link with
 * {@link #JDEMI_IP} and {@link #JDEMI_MAC}. IPv6 is off (a quiet link); a TAP device has no offloads to turn off (the
 * kernel completes checksums and segments before it hands a frame to a TAP without virtio-net headers). Names carry
 * the test JVM's pid, like {@link Veth}'s; closing deletes the namespace, which deletes the interface, and a shutdown
 * hook does the same if the JVM exits first.
 */
final class TapNamespace implements AutoCloseable {
    /** The kernel's address on the TAP interface. */
    static final String KERNEL_IP = "10.78.0.2";
    /** jdemi's address; the kernel does not have it. */
    static final String JDEMI_IP = "10.78.0.1";
    /** jdemi's MAC on the link (the interface's own MAC is the kernel's). */
    static final String JDEMI_MAC = "02:00:00:4a:00:01";

    final String ns;
    final String tapIf;
    final String kernelMac;
    private final Thread hook;
    private boolean closed;

    private TapNamespace(String tag) {
        ns = "jdT" + tag;
        tapIf = "jdtap" + tag;
        hook = new Thread(this::deleteNamespace);
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            run("ip", "netns", "add", ns);
            run(Veth.in(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"));
            run(Veth.in(ns, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"));
            run("ip", "-n", ns, "link", "set", "lo", "up");
            run(Veth.in(ns, "ip", "tuntap", "add", "dev", tapIf, "mode", "tap"));
            run("ip", "-n", ns, "addr", "add", KERNEL_IP + "/24", "dev", tapIf);
            run("ip", "-n", ns, "link", "set", tapIf, "up");
            kernelMac = run("ip", "-n", ns, "-br", "link", "show", tapIf).stdout().strip().split("\\s+")[2];
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /**
     * Creates the namespace and the interface.
     *
     * @param tag a short suffix (at most 4 characters) that tells this namespace from others of the same JVM
     * @return the namespace
     */
    static TapNamespace create(String tag) {
        return new TapNamespace(tag + ProcessHandle.current().pid() % 100_000);
    }

    private void deleteNamespace() {
        runAny(10, null, "ip", "netns", "del", ns);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        deleteNamespace();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down: the hook runs anyway, and deleting twice is harmless.
        }
    }
}
