package dev.jdemi.systest;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Records the outcome of each test of a class as a row of a table of checks, printed by {@link #print} (what
 * {@code ./jdemi interop} shows).
 */
final class CheckTable implements TestWatcher {
    private final Map<String, String> rows = new LinkedHashMap<>();

    @Override
    public void testSuccessful(ExtensionContext context) {
        rows.put(name(context), "PASS");
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        String message = String.valueOf(cause.getMessage()).lines().findFirst().orElse("");
        rows.put(name(context), "FAIL " + message.substring(0, Math.min(60, message.length())));
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        rows.put(name(context), "SKIP " + cause.getMessage());
    }

    @Override
    public void testDisabled(ExtensionContext context, Optional<String> reason) {
        rows.put(name(context), "SKIP " + reason.orElse(""));
    }

    /** The method name in words: {@code theKernelPingsJdemi} becomes "the kernel pings jdemi". */
    private static String name(ExtensionContext context) {
        String method = context.getRequiredTestMethod().getName();
        return method.replaceAll("([A-Z])", " $1").replaceAll("([0-9]+)", " $1 ").replaceAll(" +", " ")
                .toLowerCase(java.util.Locale.ROOT)
                .replace("jdemis", "jdemi's").replace("kernels", "kernel's").strip();
    }

    /**
     * Prints the table.
     *
     * @param title what was checked
     */
    void print(String title) {
        if (rows.isEmpty()) {
            return;
        }
        System.out.println();
        System.out.println(title);
        int width = rows.keySet().stream().mapToInt(String::length).max().orElse(10);
        rows.forEach((check, outcome) -> System.out.printf("  %-" + width + "s  %s%n", check, outcome));
        System.out.println();
    }
}
