package io.jkraft.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Path;
import org.eclipse.jgit.storage.file.FileBasedConfig;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.SystemReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitSystemConfigTest {
    @TempDir
    Path dir;

    @Test
    void sourceCacheMakesJGitReadTheSystemConfigFromItsStandardPlace() throws Exception {
        new SourceCache(dir, m -> {});
        assertThat(SystemReader.getInstance()).isInstanceOf(GitSystemConfig.class);
        FileBasedConfig system = SystemReader.getInstance().openSystemConfig(null, FS.DETECTED);
        File expected = new File("/etc/gitconfig").isFile() ? new File("/etc/gitconfig") : null;
        assertThat(system.getFile()).isEqualTo(expected);
        system.load();

        SystemReader installed = SystemReader.getInstance();
        new SourceCache(dir, m -> {});
        assertThat(SystemReader.getInstance()).as("installed once, not wrapped again").isSameAs(installed);
    }
}
