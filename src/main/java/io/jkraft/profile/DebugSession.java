package io.jkraft.profile;

import io.jkraft.common.Architecture;
import io.jkraft.common.HostSystem;
import io.jkraft.common.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The gdb command line for {@code jkraft debug}: gdb on the machine's unstripped kernel, connected to
 * its gdbstub, with the core's uk-gdb.py helpers loaded when the build left them.
 *
 * <p>The build folder of kernel {@code K} is {@code K.d/}; the core's build writes {@code uk-gdb.py}
 * there, and that script imports modules from the core's {@code support/scripts} before it adds the
 * folder to Python's path itself, so the folder (CONFIG_UK_BASE in {@code K.d/config}) is added first.
 */
public final class DebugSession {
    private DebugSession() {}

    /**
     * @param dbg          the unstripped kernel
     * @param kernel       the kernel the machine boots (its build folder is {@code kernel.d})
     * @param architecture the guest's architecture
     * @param target       the gdbstub as gdb's {@code target remote} takes it (127.0.0.1:PORT or a socket's path)
     * @param gdbArgs      more arguments for gdb (e.g. -batch -ex bt)
     * @param env          whose PATH is searched for gdb
     */
    public static List<String> command(Path dbg, Path kernel, Architecture architecture, String target, List<String> gdbArgs,
            Map<String, String> env) {
        List<String> argv = new ArrayList<>();
        argv.add(gdb(architecture, env).toString());
        argv.add("-q");
        Path buildDir = kernel.resolveSibling(kernel.getFileName() + ".d");
        Path helpers = buildDir.resolve("uk-gdb.py");
        if (Files.isRegularFile(helpers)) {
            coreBase(buildDir.resolve("config")).ifPresent(base -> {
                argv.add("-ex");
                argv.add("python import sys; sys.path.insert(0, '" + base.resolve("support/scripts") + "')");
            });
            argv.add("-ex");
            argv.add("source " + helpers);
        }
        // A kernel linked as ELF32 to be multiboot-loadable would make gdb expect i386 registers from x86_64 QEMU.
        argv.add("-ex");
        argv.add("set architecture " + (architecture == Architecture.ARM64 ? "aarch64" : "i386:x86-64"));
        argv.add("-ex");
        argv.add("target remote " + target);
        argv.addAll(gdbArgs);
        argv.add(dbg.toString());
        return argv;
    }

    /** gdb-multiarch when installed (it reads either architecture), else gdb for a guest of the host's. */
    static Path gdb(Architecture architecture, Map<String, String> env) {
        Optional<Path> multiarch = HostSystem.onPath("gdb-multiarch", env);
        if (multiarch.isPresent()) {
            return multiarch.get();
        }
        if (Architecture.host().filter(architecture::equals).isEmpty()) {
            throw new UserException("debugging an " + architecture + " guest needs gdb-multiarch, which is not on PATH",
                    "install it (Debian: apt-get install gdb-multiarch)");
        }
        return HostSystem.onPath("gdb", env).orElseThrow(() -> new UserException("gdb is not on PATH",
                "install it (Debian: apt-get install gdb)"));
    }

    /** CONFIG_UK_BASE of a build's .config: where the core the kernel was built from lives. */
    static Optional<Path> coreBase(Path config) {
        try {
            for (String line : Files.readAllLines(config)) {
                if (line.startsWith("CONFIG_UK_BASE=")) {
                    String value = line.substring("CONFIG_UK_BASE=".length()).replace("\"", "").strip();
                    return value.isEmpty() ? Optional.empty() : Optional.of(Path.of(value));
                }
            }
        } catch (IOException e) {
            // No config: gdb starts without the helpers' import path.
        }
        return Optional.empty();
    }
}
