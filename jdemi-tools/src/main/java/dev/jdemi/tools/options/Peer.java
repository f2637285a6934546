package dev.jdemi.tools.options;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.Locale;

/**
 * Which side of an example a process runs, as upstream's {@code --peer server|client}.
 */
public enum Peer {
    /** The side that binds (and, for TCP, listens and accepts). */
    SERVER,
    /** The side that connects or sends first. */
    CLIENT;

    /** {@return the lower-case name, as written on the command line} */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code server} or {@code client}, ignoring case. */
    public static final class Converter implements ITypeConverter<Peer> {
        @Override
        public Peer convert(String value) {
            String text = value.trim().toLowerCase(Locale.ROOT);
            for (Peer peer : values()) {
                if (peer.id().equals(text)) {
                    return peer;
                }
            }
            throw new TypeConversionException("'" + value + "' is not a peer; expected server or client");
        }
    }
}
