package dev.jdemi.tools;

import java.io.File;

/**
 * Finds the kernel tools the interoperability tests talk to. {@code ./jdemi test} installs them when it runs as root.
 */
public final class KernelTools {
    private KernelTools() {
    }

    /** {@return the path of a program on PATH, or null} */
    public static String which(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            File file = new File(dir, program);
            if (file.isFile() && file.canExecute()) {
                return file.getPath();
            }
        }
        return null;
    }
}
