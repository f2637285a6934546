package dev.jdemi.spi;

import dev.jdemi.Config;
import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;

/**
 * Makes LibOS instances of one kind; registered in {@code META-INF/services/dev.jdemi.spi.LibOSProvider}.
 */
public interface LibOSProvider {
    /** {@return which LibOS this provider makes} */
    LibOSName name();

    /**
     * Opens a LibOS.
     *
     * @param config the validated configuration
     * @return a LibOS confined to the calling thread
     */
    LibOS open(Config config);
}
