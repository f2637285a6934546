package dev.jdemi.tools.options;

import dev.jdemi.Config;
import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;
import picocli.CommandLine.Option;

/**
 * The {@code --libos} option, as a picocli mixin: which LibOS a command opens.
 *
 * <p>The configuration comes from the environment as upstream's: the YAML file named by {@code CONFIG_PATH}, if
 * set. catnap needs none.
 */
public final class LibOSOption {
    @Option(names = "--libos", paramLabel = "NAME", defaultValue = "catnap", converter = LibOSNameConverter.class,
            description = "The LibOS: catnap (kernel sockets; the default), catcollar, catpowder, catnip, catmem, "
                    + "catloop. Its configuration file is $CONFIG_PATH, if set.")
    private LibOSName libos = LibOSName.CATNAP;

    /** {@return the chosen LibOS} */
    public LibOSName name() {
        return libos;
    }

    /**
     * Opens the chosen LibOS on the calling thread, which then owns it.
     *
     * @return the LibOS
     */
    public LibOS open() {
        return LibOS.open(libos, Config.fromEnvironment());
    }
}
