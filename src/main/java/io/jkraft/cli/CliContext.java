package io.jkraft.cli;

import io.jkraft.build.BuildListener;
import io.jkraft.build.BuildService;
import io.jkraft.config.JkraftConfig;
import io.jkraft.config.JkraftPaths;
import io.jkraft.machine.MachineService;
import io.jkraft.machine.qemu.AcceleratorProbe;
import io.jkraft.machine.qemu.QemuLauncher;
import io.jkraft.machine.store.MachineStore;
import io.jkraft.run.RunService;
import java.nio.file.Path;
import java.util.Map;

/**
 * What every command gets: the terminal and the environment. Services are made from these here, the one
 * place the CLI reads the environment, so tests can run commands with an environment of their own.
 */
record CliContext(Terminal terminal, Map<String, String> environment) {

    CliContext {
        environment = Map.copyOf(environment);
    }

    JkraftPaths paths() {
        return JkraftPaths.fromEnvironment(environment);
    }

    MachineService machineService() {
        JkraftPaths paths = paths();
        return new MachineService(MachineStore.open(paths.stateDir()),
                new QemuLauncher(new AcceleratorProbe(paths.cacheDir()), environment));
    }

    RunService runService(BuildListener listener) {
        return new RunService(buildService(listener), environment, Path.of("").toAbsolutePath(), paths().cacheDir());
    }

    BuildService buildService(BuildListener listener) {
        JkraftPaths paths = paths();
        return new BuildService(JkraftConfig.load(paths.configFile(), environment), paths, environment, listener);
    }
}
