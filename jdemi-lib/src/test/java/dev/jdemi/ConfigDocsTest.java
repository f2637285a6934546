package dev.jdemi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** The user documentation names every key jdemi accepts and every variable it reads. */
class ConfigDocsTest {
    private static final Path DOC = Path.of("..", "docs", "configuration.md");

    /** Dotted keys of a file; the ARP table's entries are data, not keys. */
    private static List<String> keys(Path file) throws IOException {
        Object root = new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
        List<String> keys = new ArrayList<>();
        flatten("", (Map<?, ?>) root, keys);
        return keys;
    }

    private static void flatten(String prefix, Map<?, ?> map, List<String> keys) {
        map.forEach((key, value) -> {
            String dotted = prefix + key;
            keys.add(dotted);
            if (value instanceof Map<?, ?> inner && !dotted.endsWith("arp_table")) {
                flatten(dotted + ".", inner, keys);
            }
        });
    }

    @Test
    void everyKeyOfTheSampleFilesIsDocumented() throws IOException {
        String doc = Files.readString(DOC);
        List<String> keys = new ArrayList<>(keys(ConfigTest.resource("full.yaml")));
        keys.addAll(keys(ConfigTest.resource("windows-xdp.yaml")));

        assertThat(keys).hasSizeGreaterThan(40);
        for (String key : keys) {
            int dot = key.indexOf('.');
            // Sections are headings; keys are written relative to their section, nested ones dotted.
            String inSection = key.substring(dot + 1);
            boolean documented = dot < 0 ? doc.contains("### `" + key + "`")
                    : doc.contains("`" + inSection + "`") || doc.contains("`" + inSection + ".");
            assertThat(documented).as("docs/configuration.md documents %s", key).isTrue();
        }
    }

    @Test
    void everyEnvironmentVariableIsDocumented() throws IOException {
        String doc = Files.readString(DOC);

        assertThat(ConfigEnv.variables()).hasSize(12);
        for (String variable : ConfigEnv.variables()) {
            assertThat(doc.contains("`" + variable + "`")).as("docs/configuration.md documents %s", variable).isTrue();
        }
        assertThat(doc).contains("`" + ConfigEnv.CONFIG_PATH + "`");
    }
}
