package io.jkraft.machine.qemu;

import io.jkraft.machine.HostSystem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * Decides once whether QEMU can use KVM here. Opening /dev/kvm is not enough: in some nested setups the
 * device works but QEMU aborts while setting up the vCPU ("failed to set MSR ..."), so the probe starts
 * the real QEMU with the same machine and CPU flags a run would use, lets the CPUs run, and asks over
 * QMP whether they are still running.
 *
 * <p>The QEMU result is cached in a file keyed by the binary's path and modification time and the host
 * kernel release, so only the first run after an upgrade pays for the probe (about 0.1 s). /dev/kvm
 * access is checked every time: it is cheap and changes when the user joins the kvm group.
 */
public final class AcceleratorProbe {

    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    private static final String QMP_SCRIPT = """
            {"execute":"qmp_capabilities"}
            {"execute":"cont"}
            {"execute":"query-status"}
            {"execute":"quit"}
            """;

    private final Path cacheDir;
    private final Path kvmDevice;
    private final Path osRelease;
    private final String hostArchitecture;

    /** Probes the real host: /dev/kvm, the running kernel's release, the JVM's architecture. */
    public AcceleratorProbe(Path cacheDir) {
        this(cacheDir, Path.of("/dev/kvm"), Path.of("/proc/sys/kernel/osrelease"), HostSystem.architecture());
    }

    AcceleratorProbe(Path cacheDir, Path kvmDevice, Path osRelease, String hostArchitecture) {
        this.cacheDir = cacheDir;
        this.kvmDevice = kvmDevice;
        this.osRelease = osRelease;
        this.hostArchitecture = hostArchitecture;
    }

    /** The accelerator for guests of {@code architecture} (x86_64, arm64) run by {@code qemu}. */
    public Accelerator decide(Path qemu, String architecture) {
        if (!architecture.equals(hostArchitecture)) {
            return Accelerator.tcg("the host CPU is " + hostArchitecture + ", the guest " + architecture).remembered();
        }
        String deviceProblem = kvmDeviceProblem();
        if (deviceProblem != null) {
            return Accelerator.tcg(deviceProblem);
        }
        Path cache;
        String key;
        try {
            key = cacheKey(qemu);
            cache = cacheDir.resolve(cacheName(key));
            Accelerator cached = readCache(cache, key);
            if (cached != null) {
                return cached.remembered();
            }
        } catch (IOException e) {
            return probe(qemu, architecture);
        }
        Accelerator decided = probe(qemu, architecture);
        writeCache(cache, key, decided);
        return decided;
    }

    /** Why /dev/kvm cannot be used, or null when it opens for reading and writing as QEMU needs. */
    private String kvmDeviceProblem() {
        if (!Files.exists(kvmDevice)) {
            return kvmDevice + " does not exist (no hardware virtualization, or not passed into this container)";
        }
        try (FileChannel ignored = FileChannel.open(kvmDevice, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return null;
        } catch (IOException | SecurityException e) {
            return "cannot open " + kvmDevice + " for reading and writing (" + e.getClass().getSimpleName()
                    + "; join the kvm group)";
        }
    }

    private Accelerator probe(Path qemu, String architecture) {
        List<String> cmd = new ArrayList<>(List.of(qemu.toString(), "-nodefaults", "-no-user-config",
                "-display", "none", "-S", "-qmp", "stdio", "-accel", "kvm"));
        // The same machine and CPU as QemuCommand uses with KVM: the abort depends on the CPU model.
        cmd.addAll(architecture.equals("x86_64")
                ? List.of("-machine", "pc", "-cpu", "host,+x2apic,-pmu")
                : List.of("-machine", "virt", "-cpu", "host"));
        try {
            Process process = new ProcessBuilder(cmd).start();
            try (OutputStream in = process.getOutputStream()) {
                in.write(QMP_SCRIPT.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // QEMU died before reading its input (the abort this probe looks for); its exit says why.
            }
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread errReader = Thread.ofVirtual().start(() -> copy(process.getErrorStream(), err));
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return Accelerator.tcg("QEMU with KVM did not answer within " + PROBE_TIMEOUT.toSeconds() + " s");
            }
            errReader.join();
            return verdict(process.exitValue(), out, err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Accelerator.tcg("cannot run " + qemu + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Accelerator.tcg("interrupted while probing KVM");
        }
    }

    /** KVM works when QEMU ended normally and reported the vCPUs running after {@code cont}. */
    static Accelerator verdict(int exitCode, String qmpOutput, String stderr) {
        if (exitCode != 0) {
            return Accelerator.tcg("QEMU with KVM " + (exitCode > 128 ? "aborted" : "failed (exit " + exitCode + ")")
                    + firstLine(stderr, ": "));
        }
        for (String line : qmpOutput.split("\n")) {
            int at = line.indexOf("\"status\"");
            if (at >= 0) {
                String rest = line.substring(at);
                return rest.contains("\"running\"") ? Accelerator.kvm()
                        : Accelerator.tcg("QEMU with KVM did not keep the guest running (" + rest.strip() + ")");
            }
        }
        return Accelerator.tcg("QEMU with KVM gave no status" + firstLine(stderr, ": "));
    }

    private static String firstLine(String text, String prefix) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty())
                .map(l -> l.replaceFirst("^qemu-system-[a-z0-9_]+: ", "")).findFirst()
                .map(l -> prefix + l).orElse("");
    }

    /**
     * What the answer depends on: the QEMU binary (path and modification time) and the host's OS
     * release. The file name carries its CRC-32; the file holds the whole key, compared on reading.
     */
    private String cacheKey(Path qemu) throws IOException {
        Path real = qemu.toRealPath();
        String release = Files.exists(osRelease) ? Files.readString(osRelease).strip() : "unknown";
        return real + "\n" + Files.getLastModifiedTime(real).toMillis() + "\n" + release;
    }

    private static String cacheName(String key) {
        CRC32 crc = new CRC32();
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        return "accel-%08x.properties".formatted(crc.getValue());
    }

    private Accelerator readCache(Path cache, String key) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(cache, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            // Missing or damaged (a concurrent writer, a full disk): probe again.
            return null;
        }
        if (!key.equals(p.getProperty("key")) || p.getProperty("kvm") == null) {
            return null;
        }
        return Boolean.parseBoolean(p.getProperty("kvm")) ? Accelerator.kvm()
                : Accelerator.tcg(p.getProperty("reason", "KVM does not work here"));
    }

    private void writeCache(Path cache, String key, Accelerator accelerator) {
        Properties p = new Properties();
        p.setProperty("key", key);
        p.setProperty("kvm", Boolean.toString(accelerator.isKvm()));
        if (!accelerator.isKvm()) {
            p.setProperty("reason", accelerator.reason());
        }
        try {
            Files.createDirectories(cacheDir);
            Path tmp = Files.createTempFile(cacheDir, "accel-", ".tmp");
            try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(out, "jkraft: whether QEMU's KVM works on this host");
            }
            try {
                Files.move(tmp, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, cache, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // A cache that cannot be written only costs the next run another probe.
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try {
            in.transferTo(out);
        } catch (IOException e) {
            // The process is gone; what was read so far is enough for a reason.
        }
    }
}
