package io.jkraft.cli;

import io.jkraft.build.BuildListener;
import io.jkraft.build.BuildService;
import io.jkraft.config.JkraftConfig;
import io.jkraft.config.JkraftPaths;
import java.util.Map;

/** Creates services from the process environment; the one place the CLI reads it. */
final class Services {
    private Services() {}

    static BuildService build(BuildListener listener) {
        Map<String, String> env = System.getenv();
        JkraftPaths paths = JkraftPaths.fromEnvironment(env);
        return new BuildService(JkraftConfig.load(paths.configFile(), env), paths, env, listener);
    }
}
