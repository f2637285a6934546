package dev.jdemi.systest;

/**
 * The link an interop test runs over, in the words its checks need: where the kernel's tools run and capture, where
 * jdemi runs and on which interface, and the two addresses. Made from a {@link Veth} pair (jdemi in its own namespace)
 * or from a {@link TapNamespace} (jdemi and the kernel in one namespace); closing it closes what it was made from.
 *
 * @param kernelNs the namespace of the kernel's tools (ping, socat, nc, curl, ss, dumpcap)
 * @param kernelIf the kernel's interface there
 * @param jdemiNs the namespace jdemi runs in
 * @param jdemiIf the interface jdemi opens
 * @param jdemiMac jdemi's MAC
 * @param jdemiIp jdemi's address
 * @param kernelIp the kernel's address
 * @param where where the capture is taken, in words for the printed figures
 * @param closer what closing the link runs: closes the pair or the namespace
 */
record KernelLink(String kernelNs, String kernelIf, String jdemiNs, String jdemiIf, String jdemiMac, String jdemiIp,
        String kernelIp, String where, Runnable closer) implements AutoCloseable {

    /** {@return the link over a veth pair, captured on the kernel's end} */
    static KernelLink of(Veth veth) {
        return new KernelLink(veth.kernelNs, veth.kernelIf, veth.jdemiNs, veth.jdemiIf, veth.jdemiMac, Veth.JDEMI_IP,
                Veth.KERNEL_IP, "kernel's end", veth::close);
    }

    /** {@return the link over a TAP interface, jdemi and the kernel in its namespace, captured on the interface} */
    static KernelLink of(TapNamespace tap) {
        return new KernelLink(tap.ns, tap.tapIf, tap.ns, tap.tapIf, TapNamespace.JDEMI_MAC, TapNamespace.JDEMI_IP,
                TapNamespace.KERNEL_IP, "TAP interface", tap::close);
    }

    @Override
    public void close() {
        closer.run();
    }
}
