package io.jkraft.config;

import io.jkraft.common.UserException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Changes one setting of the user's config file, keeping the others. The file is replaced by a rename,
 * so a crash leaves the old file or the new one, never half of one. Comments in the file are not kept
 * (SnakeYAML does not carry them through a load and dump).
 */
public final class ConfigWriter {
    private final Path configFile;

    public ConfigWriter(Path configFile) {
        this.configFile = configFile;
    }

    /** Sets {@code key} to a list of strings; an empty list removes the key. */
    public void setList(String key, List<String> values) {
        Map<Object, Object> settings = new LinkedHashMap<>(JkraftConfig.read(configFile));
        if (values.isEmpty()) {
            settings.remove(key);
        } else {
            settings.put(key, List.copyOf(values));
        }
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        String text = settings.isEmpty() ? "" : new Yaml(options).dump(settings);
        Path dir = configFile.toAbsolutePath().getParent();
        Path temp = dir.resolve("." + configFile.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            Files.createDirectories(dir);
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            try {
                Files.move(temp, configFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, configFile, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UserException("cannot write " + configFile + ": " + e, "check that its folder is writable", e);
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                // a leftover temporary file does no harm
            }
        }
    }
}
