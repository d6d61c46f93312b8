package io.jkraft.kraftfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.common.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KraftfileFilesTest {

    @TempDir
    Path dir;

    @Test
    void findsEachNameKraftRecognises() throws IOException {
        assertThat(KraftfileParser.FILE_NAMES)
                .containsExactly("Kraftfile", "Kraftfile.yaml", "Kraftfile.yml", "kraft.yaml", "kraft.yml");
        for (String name : KraftfileParser.FILE_NAMES) {
            Path project = Files.createDirectories(dir.resolve("p-" + name));
            assertThat(KraftfileParser.find(project)).isEmpty();
            Files.writeString(project.resolve(name), "spec: v0.6\n");
            assertThat(KraftfileParser.find(project)).contains(project.resolve(name));
        }
    }

    @Test
    void ignoresFoldersAndOtherNames() throws IOException {
        Files.createDirectories(dir.resolve("Kraftfile"));
        Files.writeString(dir.resolve("kraftfile"), "spec: v0.6\n");
        Files.writeString(dir.resolve("Kraftfile.json"), "{}");
        // A case-insensitive file system sees "kraftfile" as "Kraftfile", which is a folder here.
        assertThat(KraftfileParser.find(dir)).isEmpty();
    }

    @Test
    void refusesToChooseBetweenTwoKraftfilesLikeKraft() throws IOException {
        Files.writeString(dir.resolve("Kraftfile"), "spec: v0.6\n");
        Files.writeString(dir.resolve("kraft.yaml"), "spec: v0.6\n");
        assertThatThrownBy(() -> KraftfileParser.find(dir))
                .isInstanceOf(UserException.class)
                .hasMessageEndingWith("found more than one Kraftfile: Kraftfile, kraft.yaml");
    }

    @Test
    void parsesFromDiskWithTheGivenEnvironment() throws IOException {
        Path project = Files.createDirectories(dir.resolve("nginx"));
        Path file = Files.writeString(project.resolve("Kraftfile"), "spec: v0.6\nunikraft: ${UK}\nenv: [USER]\n");
        Kraftfile k = new KraftfileParser().parse(file, Map.of("UK", "stable", "USER", "me"));
        assertThat(k.file()).isEqualTo(file);
        assertThat(k.projectDir()).isEqualTo(project.toAbsolutePath());
        assertThat(k.name()).isEqualTo("nginx");
        assertThat(k.unikraft().version()).isEqualTo("stable");
        assertThat(k.env()).containsEntry("USER", "me");
    }

    @Test
    void missingFileIsAUserError() {
        assertThatThrownBy(() -> new KraftfileParser().parse(dir.resolve("Kraftfile"), Map.of()))
                .isInstanceOf(UserException.class)
                .hasMessageEndingWith("Kraftfile: no such file");
    }

    @Test
    void errorsNameTheFileRelativeToTheWorkingDirectory() {
        Path underCwd = Path.of("").toAbsolutePath().resolve("apps/web/Kraftfile");
        KraftfileException e = org.assertj.core.api.Assertions.catchThrowableOfType(KraftfileException.class,
                () -> new KraftfileParser().parse(underCwd, "name: web\n", Map.of()));
        assertThat(e.getMessage()).startsWith(Path.of("apps/web/Kraftfile") + ":1:1: missing spec version");
        assertThat(e.file()).isEqualTo(underCwd);
        assertThat(new Location(Path.of("/elsewhere/Kraftfile"), 2, 3)).hasToString("/elsewhere/Kraftfile:2:3");
    }
}
