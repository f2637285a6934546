package dev.jdemi;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A configuration being assembled from a file and the environment, with every problem found so far.
 *
 * <p>Readers set fields and record problems instead of throwing, so that {@link #build} can report every problem of
 * a file at once. Fields start at upstream's defaults.
 */
final class ConfigDraft {
    Inet4Address localIpv4Addr;
    MacAddress localLinkAddr;
    String linuxInterfaceName;
    int xdpInterfaceIndex = -1;
    List<String> dpdkEalInit = List.of();

    boolean keepalive = Config.TcpSocketOptions.DEFAULTS.keepalive();
    long keepaliveTimeMillis = Config.TcpSocketOptions.DEFAULTS.keepaliveTimeMillis();
    long keepaliveInterval = Config.TcpSocketOptions.DEFAULTS.keepaliveInterval();
    boolean lingerEnabled = Config.TcpSocketOptions.DEFAULTS.linger().enabled();
    int lingerSeconds = Config.TcpSocketOptions.DEFAULTS.linger().seconds();
    boolean nodelay = Config.TcpSocketOptions.DEFAULTS.nodelay();

    int mtu = Config.Inetstack.DEFAULTS.mtu();
    int mss = Config.Inetstack.DEFAULTS.mss();
    boolean enableJumboFrames = Config.Inetstack.DEFAULTS.enableJumboFrames();
    boolean udpChecksumOffload = Config.Inetstack.DEFAULTS.udpChecksumOffload();
    boolean tcpChecksumOffload = Config.Inetstack.DEFAULTS.tcpChecksumOffload();
    final Map<Inet4Address, MacAddress> arpTable = new LinkedHashMap<>();
    int arpRequestRetries = Config.Inetstack.DEFAULTS.arpRequestRetries();
    long arpRequestTimeoutMillis = Config.Inetstack.DEFAULTS.arpRequestTimeoutMillis();
    long arpCacheTtlMillis = Config.Inetstack.DEFAULTS.arpCacheTtlMillis();

    WaitPolicy waitPolicy = Config.Jdemi.DEFAULTS.waitPolicy();
    Config.PacketRing packetRing = Config.Jdemi.DEFAULTS.packetRing();
    Config.RawDevice rawDevice = Config.Jdemi.DEFAULTS.rawDevice();

    /** Where the MTU came from, so the jumbo-frame check names the right key or variable. */
    boolean mtuFromEnvironment;
    int mtuLine;

    private final List<Problem> problems = new ArrayList<>();

    /**
     * One thing wrong with the configuration.
     *
     * @param errno EINVAL, or ERANGE for an integer that overflows its field
     * @param text the key or variable, what is wrong, and where
     */
    record Problem(int errno, String text) {
    }

    /** Records a problem with a key of the file; {@code line} is 1-based, or 0 when unknown. */
    void problem(int errno, String key, String message, int line) {
        problems.add(new Problem(errno, key + ": " + message + (line > 0 ? " (line " + line + ")" : "")));
    }

    /** Records a problem with an environment variable. */
    void envProblem(String variable, String message) {
        problems.add(new Problem(Errno.EINVAL, variable + ": " + message + " (environment variable)"));
    }

    /** {@return the problems recorded so far} */
    List<Problem> problems() {
        return Collections.unmodifiableList(problems);
    }

    /**
     * Checks the rules that tie keys together, then returns the configuration or throws every problem at once.
     *
     * @param source what was read, for the message: a path, "environment", ...
     * @return the configuration
     * @throws DemiException EINVAL listing every problem, one per line; ERANGE when every problem is an integer that
     *         overflows its field
     */
    Config build(String source) {
        if (mtu > ConfigValues.MAX_STANDARD_MTU && !enableJumboFrames) {
            String message = mtu + " exceeds " + ConfigValues.MAX_STANDARD_MTU + ", the largest Ethernet MTU without"
                    + " jumbo frames; set inetstack_config.enable_jumbo_frames: true";
            if (mtuFromEnvironment) {
                envProblem("MTU", message);
            } else {
                problem(Errno.EINVAL, "inetstack_config.mtu", message, mtuLine);
            }
        }
        throwIfAny(problems, source);
        // Upstream answers "no linger" when enabled is false, whatever time_seconds says.
        Linger linger = lingerEnabled ? new Linger(true, lingerSeconds) : Linger.OFF;
        return new Config(localIpv4Addr, localLinkAddr, linuxInterfaceName, xdpInterfaceIndex,
                List.copyOf(dpdkEalInit),
                new Config.TcpSocketOptions(keepalive, keepaliveTimeMillis, keepaliveInterval, linger, nodelay),
                new Config.Inetstack(mtu, mss, enableJumboFrames, udpChecksumOffload, tcpChecksumOffload,
                        Collections.unmodifiableMap(new LinkedHashMap<>(arpTable)), arpRequestRetries,
                        arpRequestTimeoutMillis, arpCacheTtlMillis),
                new Config.Jdemi(waitPolicy, packetRing, rawDevice));
    }

    /**
     * Throws one exception listing the problems, if there are any.
     *
     * @param problems the problems
     * @param source what was read, for the first line of the message
     */
    static void throwIfAny(List<Problem> problems, String source) {
        if (problems.isEmpty()) {
            return;
        }
        boolean allRange = problems.stream().allMatch(p -> p.errno() == Errno.ERANGE);
        StringBuilder message = new StringBuilder("invalid configuration (").append(source).append(')');
        if (problems.size() == 1) {
            message.append(": ").append(problems.getFirst().text());
        } else {
            message.append(", ").append(problems.size()).append(" problems:");
            for (Problem p : problems) {
                message.append('\n').append(p.text());
            }
        }
        throw new DemiException(allRange ? Errno.ERANGE : Errno.EINVAL, message.toString());
    }
}
