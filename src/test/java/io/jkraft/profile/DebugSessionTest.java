package io.jkraft.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.common.Architecture;
import io.jkraft.common.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gdb command line {@code jkraft debug} starts (the programs on PATH are empty scripts: only found, never run). */
class DebugSessionTest {
    @TempDir
    Path tmp;

    private Path program(String name) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path p = Files.writeString(bin.resolve(name), "#!/bin/sh\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    @Test
    void loadsTheCoresGdbHelpersAfterPuttingItsScriptsOnPythonsPath() throws Exception {
        Path gdb = program("gdb-multiarch");
        Path kernel = tmp.resolve("app/.unikraft/build/hello_qemu-x86_64");
        Path build = Files.createDirectories(kernel.resolveSibling("hello_qemu-x86_64.d"));
        Files.writeString(build.resolve("uk-gdb.py"), "# helpers\n");
        Files.writeString(build.resolve("config"), "CONFIG_UK_NAME=\"hello\"\nCONFIG_UK_BASE=\"/src/unikraft\"\n");

        List<String> argv = DebugSession.command(Path.of(kernel + ".dbg"), kernel, Architecture.ARM64, "127.0.0.1:4321", List.of("-batch"),
                Map.of("PATH", gdb.getParent().toString()));

        assertThat(argv).containsExactly(gdb.toString(), "-q",
                "-ex", "python import sys; sys.path.insert(0, '/src/unikraft/support/scripts')",
                "-ex", "source " + build.resolve("uk-gdb.py"),
                "-ex", "set architecture aarch64", "-ex", "target remote 127.0.0.1:4321",
                "-batch", kernel + ".dbg");
    }

    @Test
    void withoutTheBuildFolderGdbStillConnects() throws Exception {
        Path gdb = program("gdb");
        Path kernel = tmp.resolve("kernel");
        List<String> argv = DebugSession.command(tmp.resolve("kernel.dbg"), kernel, Architecture.parse(hostArch()), "/run/k.gdb",
                List.of(), Map.of("PATH", gdb.getParent().toString()));
        assertThat(argv).containsExactly(gdb.toString(), "-q", "-ex",
                "set architecture " + (hostArch().equals("arm64") ? "aarch64" : "i386:x86-64"), "-ex", "target remote /run/k.gdb",
                tmp.resolve("kernel.dbg").toString());
    }

    @Test
    void aGuestOfAnotherArchitectureNeedsGdbMultiarch() throws Exception {
        Path gdb = program("gdb");
        String other = hostArch().equals("x86_64") ? "arm64" : "x86_64";
        assertThatThrownBy(() -> DebugSession.command(tmp.resolve("k.dbg"), tmp.resolve("k"), Architecture.parse(other), "127.0.0.1:1", List.of(),
                Map.of("PATH", gdb.getParent().toString())))
                .isInstanceOf(UserException.class).hasMessageContaining("gdb-multiarch");
    }

    private static String hostArch() {
        return System.getProperty("os.arch").equals("aarch64") ? "arm64" : "x86_64";
    }
}
