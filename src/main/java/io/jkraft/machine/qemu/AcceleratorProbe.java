package io.jkraft.machine.qemu;

import io.jkraft.common.Architecture;
import io.jkraft.common.Invocation;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * Decides once whether QEMU can use KVM here. Opening /dev/kvm is not enough, nor is a vCPU that runs: in
 * some nested setups QEMU aborts while setting up the vCPU ("failed to set MSR ..."), in others KVM runs an
 * empty machine but stops a real guest at its first SSE instruction ("KVM internal error. Suberror: 1
 * (emulation failure)") and QEMU keeps it paused for ever. So the probe boots {@link ProbeGuest}, which does
 * what Unikraft's early boot does, with the same machine and CPU flags a run would use, and calls KVM usable
 * only when that guest printed its line and ended as it should.
 *
 * <p>The QEMU result is cached in a file keyed by the binary's path and modification time and the host
 * kernel release, so only the first run after an upgrade pays for the probe (about 0.1 s); a guest that KVM
 * fails on all the same is remembered there too ({@link #rememberUnusable}). /dev/kvm
 * access is checked every time: it is cheap and changes when the user joins the kvm group.
 */
public final class AcceleratorProbe {

    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    /** What QEMU prints when KVM cannot go on with the guest; QEMU then keeps it paused for ever. */
    private static final String INTERNAL_ERROR = "KVM internal error";

    private final Path cacheDir;
    private final Path kvmDevice;
    private final Path osRelease;
    /** Null when the host is none Unikraft runs on. */
    private final Architecture hostArchitecture;
    private final Map<String, String> env;

    /** Probes the real host: /dev/kvm, the running kernel's release, the JVM's architecture. */
    public AcceleratorProbe(Path cacheDir) {
        this(cacheDir, System.getenv());
    }

    /** The same, running the probe's QEMU with {@code env}, the command's environment. */
    public AcceleratorProbe(Path cacheDir, Map<String, String> env) {
        this(cacheDir, Path.of("/dev/kvm"), Path.of("/proc/sys/kernel/osrelease"), Architecture.host().orElse(null), env);
    }

    AcceleratorProbe(Path cacheDir, Path kvmDevice, Path osRelease, Architecture hostArchitecture) {
        this(cacheDir, kvmDevice, osRelease, hostArchitecture, System.getenv());
    }

    private AcceleratorProbe(Path cacheDir, Path kvmDevice, Path osRelease, Architecture hostArchitecture,
            Map<String, String> env) {
        this.env = Map.copyOf(env);
        this.cacheDir = cacheDir;
        this.kvmDevice = kvmDevice;
        this.osRelease = osRelease;
        this.hostArchitecture = hostArchitecture;
    }

    /** The accelerator for guests of {@code architecture} (x86_64, arm64) run by {@code qemu}. */
    public Accelerator decide(Path qemu, Architecture architecture) {
        if (architecture != hostArchitecture) {
            return Accelerator.tcg("the host CPU is " + (hostArchitecture == null ? "of another architecture" : hostArchitecture)
                    + ", the guest " + architecture).remembered();
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

    /**
     * Remembers that KVM cannot run guests with {@code qemu} on this host although the probe let it through
     * (a guest failed with an internal error at once), so later runs use TCG without trying.
     */
    public void rememberUnusable(Path qemu, String why) {
        try {
            String key = cacheKey(qemu);
            writeCache(cacheDir.resolve(cacheName(key)), key, Accelerator.tcg("KVM could not run a guest: " + why));
        } catch (IOException e) {
            // Not remembered: the next run tries KVM again and falls back again.
        }
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

    private Accelerator probe(Path qemu, Architecture architecture) {
        Path kernel = null;
        try {
            Files.createDirectories(cacheDir);
            kernel = Files.createTempFile(cacheDir, "probe-", ".img");
            Files.write(kernel, ProbeGuest.image(architecture));
            List<String> cmd = new ArrayList<>(List.of(qemu.toString()));
            cmd.addAll(ProbeGuest.qemuArguments(architecture, kernel));
            // The machine and CPU a run would use with KVM: what KVM fails on depends on the CPU model.
            boolean x86 = architecture == Architecture.X86_64;
            QemuCommand.Options how = QemuCommand.Options.detect(qemu, Accelerator.kvm());
            boolean microvm = x86 && how.microvm();
            QemuCommand.machine(x86 ? (microvm ? "microvm" : "pc") : "virt", x86, Accelerator.kvm())
                    .forEach(o -> cmd.addAll(o.render()));
            if (microvm && how.firmwareDir() != null) {
                cmd.addAll(List.of("-bios", how.firmwareDir().resolve(QemuCommand.MICROVM_BIOS).toString()));
            }
            Process process = new Invocation(cacheDir.toAbsolutePath(), env).start(new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))));
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            // KVM's internal error leaves QEMU up with the guest paused: its message is the answer, not a hang.
            Thread errReader = Thread.ofVirtual().start(() -> copyUntil(process, process.getErrorStream(), err,
                    INTERNAL_ERROR));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread outReader = Thread.ofVirtual().start(() -> copyUntil(process, process.getInputStream(), out, null));
            boolean ended = process.waitFor(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (!ended) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            errReader.join(1000);
            outReader.join(1000);
            String stderr = err.toString(StandardCharsets.UTF_8);
            if (!ended && !stderr.contains(INTERNAL_ERROR)) {
                return Accelerator.tcg("QEMU with KVM did not run the probe guest to its end within "
                        + PROBE_TIMEOUT.toSeconds() + " s");
            }
            // A QEMU that outlived even SIGKILL's 5 s has no exit status yet: -1, which no verdict calls KVM.
            int status = process.isAlive() ? -1 : process.exitValue();
            return verdict(architecture, status, out.toString(StandardCharsets.UTF_8), stderr);
        } catch (IOException e) {
            return Accelerator.tcg("cannot run " + qemu + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Accelerator.tcg("interrupted while probing KVM");
        } finally {
            if (kernel != null) {
                try {
                    Files.deleteIfExists(kernel);
                } catch (IOException e) {
                    // A leftover probe image in the cache folder is harmless.
                }
            }
        }
    }

    /** KVM works when the probe guest ran to its end: its line printed and its exit status. */
    static Accelerator verdict(Architecture architecture, int exitCode, String stdout, String stderr) {
        if (ProbeGuest.succeeded(architecture, exitCode, stdout)) {
            return Accelerator.kvm();
        }
        if (stderr.contains(INTERNAL_ERROR)) {
            return Accelerator.tcg("QEMU with KVM stopped the probe guest: " + QemuLog.summary(stderr));
        }
        if (exitCode > 128) {
            return Accelerator.tcg("QEMU with KVM aborted" + firstLine(stderr, ": "));
        }
        String said = stdout.lines().filter(l -> l.startsWith("jkraft-probe:")).findFirst().map(l -> ", " + l.strip())
                .orElse("");
        return Accelerator.tcg("QEMU with KVM did not run the probe guest (exit " + exitCode + said + ")"
                + firstLine(stderr, ": "));
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

    /** Copies until end of file; once {@code stopAt} shows up (when not null), ends the process too. */
    private static void copyUntil(Process process, InputStream in, ByteArrayOutputStream out, String stopAt) {
        byte[] buffer = new byte[4096];
        boolean ending = false;
        try {
            int n;
            while ((n = in.read(buffer)) > 0) {
                synchronized (out) {
                    out.write(buffer, 0, n);
                    if (stopAt != null && !ending && out.toString(StandardCharsets.UTF_8).contains(stopAt)) {
                        ending = true;
                        Thread.ofVirtual().start(() -> endAfterDump(process, out));
                    }
                }
            }
        } catch (IOException e) {
            // The process is gone; what was read so far is enough for a reason.
        }
    }

    /** Ends QEMU once its register dump is written (its last line starts "Code="), or after half a second. */
    private static void endAfterDump(Process process, ByteArrayOutputStream err) {
        long deadline = System.nanoTime() + 500_000_000L;
        try {
            while (System.nanoTime() < deadline) {
                synchronized (err) {
                    if (err.toString(StandardCharsets.UTF_8).contains("\nCode=")) {
                        break;
                    }
                }
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
    }
}
