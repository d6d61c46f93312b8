package io.jkraft.source;

import java.io.File;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.storage.file.FileBasedConfig;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.StringUtils;
import org.eclipse.jgit.util.SystemReader;

/**
 * Reads git's system configuration from its standard place instead of letting JGit find it by running
 * `git config --system --show-origin`: that process start costs a CLI more than the rest of resolving a
 * cached branch. `GIT_CONFIG_NOSYSTEM` is honoured as git honours it.
 */
final class GitSystemConfig extends SystemReader.Delegate {
    private static final File SYSTEM_CONFIG = new File("/etc/gitconfig");

    private GitSystemConfig(SystemReader delegate) {
        super(delegate);
    }

    /**
     * Installs this reader as JGit's, once per JVM. JGit keeps its reader in a global, which is the only
     * way it offers to change where configuration comes from.
     */
    static synchronized void install() {
        SystemReader current = SystemReader.getInstance();
        if (!(current instanceof GitSystemConfig)) {
            SystemReader.setInstance(new GitSystemConfig(current));
        }
    }

    @Override
    public FileBasedConfig openSystemConfig(Config parent, FS fs) {
        if (!StringUtils.isEmptyOrNull(getenv("GIT_CONFIG_NOSYSTEM")) || !SYSTEM_CONFIG.isFile()) {
            return new FileBasedConfig(parent, null, fs) {
                @Override
                public void load() {
                    // no system configuration: nothing to read
                }

                @Override
                public boolean isOutdated() {
                    return false;
                }
            };
        }
        return new FileBasedConfig(parent, SYSTEM_CONFIG, fs);
    }
}
