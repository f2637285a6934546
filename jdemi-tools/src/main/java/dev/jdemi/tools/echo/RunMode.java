package dev.jdemi.tools.echo;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.Locale;

/**
 * How the tcp-echo client opens its connections, as upstream's {@code --run-mode}.
 */
public enum RunMode {
    /** One connection at a time, each followed by its first request. */
    SEQUENTIAL,
    /** All connects at once; each connection starts when its connect completes. */
    CONCURRENT;

    /** {@return the lower-case name, as written on the command line} */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code sequential} or {@code concurrent}, ignoring case. */
    public static final class Converter implements ITypeConverter<RunMode> {
        @Override
        public RunMode convert(String value) {
            String text = value.trim().toLowerCase(Locale.ROOT);
            for (RunMode mode : values()) {
                if (mode.id().equals(text)) {
                    return mode;
                }
            }
            throw new TypeConversionException("'" + value + "' is not a run mode; expected sequential or concurrent");
        }
    }
}
