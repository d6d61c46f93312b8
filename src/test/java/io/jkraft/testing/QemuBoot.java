package io.jkraft.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Boots fixture kernels in QEMU and captures the serial console:
 * {@code qemu-system-x86_64 -nographic -m 8 -cpu max -no-reboot -kernel IMG [-append ARGS]}, or
 * {@code qemu-system-aarch64 -nographic -machine virt ...} for arm64.
 */
public final class QemuBoot {

    /**
     * @param exitCode QEMU's exit code (0 after the kernel's reset or power-off), -1 after a timeout
     * @param output   everything QEMU wrote (console and its own messages), CR LF turned into LF
     * @param timedOut whether the kernel had to be killed
     */
    public record Result(int exitCode, String output, boolean timedOut) {
        public List<String> lines() {
            return output.lines().toList();
        }
    }

    private QemuBoot() {
    }

    /** Whether {@link #boot} can run for this arch ({@code x86_64}, or {@code arm64}/{@code aarch64}). */
    public static boolean available(String arch) {
        String reason = unavailableReason(arch);
        if (reason != null && System.getenv("JKRAFT_TEST_REQUIRE_TOOLS") != null) {
            // CI installs every tool; a skip there would hide a broken install step.
            throw new IllegalStateException("JKRAFT_TEST_REQUIRE_TOOLS is set but " + reason);
        }
        return reason == null;
    }

    /**
     * Why kernels of this arch cannot be built and booted here, for {@code Assumptions.assumeTrue(available(a),
     * unavailableReason(a))}; null when they can. Checks QEMU and the compiler the fixture core uses.
     */
    public static String unavailableReason(String arch) {
        String qemu = qemuBinary(arch);
        if (onPath(qemu) == null) {
            return qemu + " is not installed (Debian: qemu-system-" + (isArm(arch) ? "arm" : "x86") + ")";
        }
        String compiler = compiler(arch);
        if (onPath(compiler) == null) {
            return compiler + " is not installed" + (isArm(arch) ? " (Debian: gcc-aarch64-linux-gnu)" : "");
        }
        return null;
    }

    /** The QEMU command line for a kernel; a null or empty append adds no -append. */
    public static List<String> command(String arch, Path kernel, String append) {
        List<String> cmd = new ArrayList<>(List.of(qemuBinary(arch), "-nographic"));
        if (isArm(arch)) {
            cmd.addAll(List.of("-machine", "virt"));
        }
        cmd.addAll(List.of("-m", "8", "-cpu", "max", "-no-reboot", "-kernel", kernel.toString()));
        if (append != null && !append.isEmpty()) {
            cmd.addAll(List.of("-append", append));
        }
        return cmd;
    }

    /** Boots the kernel and waits for QEMU to exit, killing it after the timeout. */
    public static Result boot(String arch, Path kernel, String append, Duration timeout)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile("qemu-console", ".log");
        try {
            // The console goes to a file: QEMU keeps writing while we wait, and a pipe nobody
            // reads could fill up. stdin is /dev/null so QEMU never touches the terminal.
            Process process = new ProcessBuilder(command(arch, kernel, append))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                process.destroyForcibly();
                process.waitFor();
            }
            String output = Files.readString(log, StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
            return new Result(exited ? process.exitValue() : -1, output, !exited);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    static boolean isArm(String arch) {
        String a = arch.toLowerCase(Locale.ROOT);
        if (a.equals("arm64") || a.equals("aarch64")) {
            return true;
        }
        if (a.equals("x86_64") || a.equals("amd64")) {
            return false;
        }
        throw new IllegalArgumentException("unknown arch " + arch + " (x86_64 or arm64)");
    }

    private static String qemuBinary(String arch) {
        return isArm(arch) ? "qemu-system-aarch64" : "qemu-system-x86_64";
    }

    /** The compiler the fixture core's Makefile picks for the arch on this host. */
    private static String compiler(String arch) {
        String host = System.getProperty("os.arch");
        boolean hostArm = host.equals("aarch64") || host.equals("arm64");
        if (isArm(arch) == hostArm) {
            return "gcc";
        }
        return isArm(arch) ? "aarch64-linux-gnu-gcc" : "x86_64-linux-gnu-gcc";
    }

    static Path onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
