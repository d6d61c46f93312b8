package io.jkraft.startup;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkraft.cli.Terminal;
import io.jkraft.common.Architecture;
import io.jkraft.common.ExitCode;
import io.jkraft.common.FileTrees;
import io.jkraft.common.Invocation;
import io.jkraft.common.Platform;
import io.jkraft.kraftfile.Kraftfile;
import io.jkraft.kraftfile.KraftfileParser;
import io.jkraft.machine.MachineService;
import io.jkraft.machine.VmmDrivers;
import io.jkraft.machine.api.ConsoleTail;
import io.jkraft.machine.api.MachineSpec;
import io.jkraft.machine.api.RunFlags;
import io.jkraft.machine.qemu.Accelerator;
import io.jkraft.machine.qemu.AcceleratorProbe;
import io.jkraft.machine.qemu.GuestConsoleHints;
import io.jkraft.machine.qemu.QemuCommand;
import io.jkraft.machine.qemu.QemuStateDir;
import io.jkraft.machine.store.MachineRecord;
import io.jkraft.machine.store.MachineStore;
import io.jkraft.machine.store.Reconciler;
import io.jkraft.machine.store.StartIntent;
import io.jkraft.run.RunRequest;
import io.jkraft.run.RunService;
import io.jkraft.source.OriginResolver;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.eclipse.jgit.api.Git;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The AOT training run: touches the code paths of the usual commands (parse a Kraftfile, resolve origins, open
 * a git repository, build, pack, push and pull, prepare and record a machine, QEMU's monitor, print JSON and
 * help) without doing real work. The launcher runs it once per jar to make the AOT cache, which holds the
 * classes every later start would otherwise load and link one by one; the resident helper runs it once at its
 * start, so that the first command it serves finds them loaded and its paths compiled.
 */
@Command(name = TrainCommand.NAME, hidden = true)
final class TrainCommand implements Callable<Integer> {
    static final String NAME = "__train";

    /**
     * Trains run's path alone, for the cache a JVM of its own starts `run` with: run is the command measured by its
     * latency, and a cache of only its classes maps fewer at start (the general cache holds about twice as many).
     */
    @Option(names = "--run")
    boolean runOnly;

    @Override
    public Integer call() throws Exception {
        if (runOnly) {
            return trainRunOnly();
        }
        Path dir = Files.createTempDirectory("jkraft-train");
        try {
            Path core = Files.createDirectories(dir.resolve("core"));
            // A stand-in core that honours just enough of the make interface for a build and a no-op build.
            Files.writeString(core.resolve("Makefile"), """
                    all:
                    \tmkdir -p $(O) && printf '  CC      apptrain: main.o\\n' && touch $(O)/$(N)_qemu-x86_64
                    defconfig:
                    \tcp $(UK_DEFCONFIG) $(C)
                    """);
            Path app = Files.createDirectories(dir.resolve("app"));
            Files.writeString(app.resolve("Kraftfile"), """
                    spec: v0.6
                    name: train
                    unikraft:
                      source: %s
                      kconfig: {CONFIG_LIBUKRANDOM: 'n'}
                    targets: [qemu/x86_64]
                    """.formatted(core));
            Map<String, String> env = Map.of("HOME", dir.toString(), "PATH", System.getenv().getOrDefault("PATH", ""));
            PrintWriter nowhere = new PrintWriter(Writer.nullWriter());
            for (int i = 0; i < 2; i++) {
                int status = Main.execute(new String[] {"build", "--no-color", app.toString()},
                        new Terminal(nowhere, nowhere, false), env);
                if (status != 0) {
                    return status;
                }
            }
            Kraftfile kf = new KraftfileParser().parse(app.resolve("Kraftfile"), """
                    spec: v0.6
                    name: train
                    unikraft:
                      version: stable
                      kconfig: {CONFIG_LIBUKRANDOM: 'n'}
                    libraries: {musl: stable}
                    targets: [qemu/x86_64, {platform: qemu, architecture: arm64}]
                    """, Map.of());
            OriginResolver resolver = new OriginResolver("https://github.com/unikraft");
            resolver.resolve(kf.unikraft(), true, dir);
            try (Git git = Git.init().setBare(true).setDirectory(dir.resolve("repo.git").toFile()).call()) {
                git.getRepository().getRefDatabase().getRefs();
            }
            new ObjectMapper().writeValueAsString(Map.of("kernel", kf.name()));
            Main.execute(new String[] {"build", "--help"}, new Terminal(nowhere, nowhere, false), Map.of());
            Main.execute(new String[] {"run", "--help"}, new Terminal(nowhere, nowhere, false), Map.of());
            trainRegistry(dir, app, nowhere);
            Path kernel = kernel(dir);
            trainRun(dir, nowhere, kernel);
            trainMachines(dir, kernel);
            trainQemu(dir, kernel);
            try (Git origin = Git.init().setDirectory(dir.resolve("origin").toFile()).call()) {
                origin.commit().setMessage("train").setAllowEmpty(true).setSign(false).call();
                Git.lsRemoteRepository().setRemote(dir.resolve("origin").toUri().toString()).call();
            }
        } finally {
            removeTrainingFolder(dir);
        }
        return ExitCode.SUCCESS.code();
    }

    /** run's parsing, the machine store and the QEMU driver around a stand-in QEMU, as `jkraft run KERNEL` goes. */
    private static int trainRunOnly() throws Exception {
        Path dir = Files.createTempDirectory("jkraft-train");
        try {
            Path kernel = kernel(dir);
            trainRun(dir, new PrintWriter(Writer.nullWriter()), kernel);
            trainMachines(dir, kernel);
            trainQemu(dir, kernel);
        } finally {
            removeTrainingFolder(dir);
        }
        return ExitCode.SUCCESS.code();
    }

    /** An ELF header for x86_64: enough for run to tell the kernel's architecture, as it usually must. */
    private static Path kernel(Path dir) throws java.io.IOException {
        byte[] elf = new byte[64];
        elf[0] = 0x7f;
        elf[1] = 'E';
        elf[2] = 'L';
        elf[3] = 'F';
        elf[18] = 62;
        return Files.write(dir.resolve("train_qemu-x86_64"), elf);
    }

    /** What run does around QEMU, without QEMU: its command, the start intent, a process start, the monitor. */
    private static void trainQemu(Path dir, Path kernel) throws Exception {
        new MachineService(MachineStore.open(dir.resolve("state")),
                VmmDrivers.standard(dir.resolve("cache"), new Invocation(dir, Map.of())));
        QemuCommand.Options.detect(kernel, Accelerator.tcg("training"));
        Path starting = dir.resolve("state/runtime/" + MachineStore.newId(MachineStore.processRandom()));
        StartIntent.write(starting);
        StartIntent.clear(starting);
        // Starting a process, as run starts QEMU: the JDK's launcher classes, linked ahead.
        new ProcessBuilder("true").redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start().waitFor();
        // 32-bit arm is no host jkraft runs on: the probe answers without starting QEMU.
        new AcceleratorProbe(dir.resolve("cache")).decide(kernel, Architecture.ARM);
        // QEMU is played by a stand-in QMP server; the console by a file.
        StandInQmp.exercise(dir.resolve("qmp.sock"));
        Path console = Files.writeString(dir.resolve("console.log"), "Powered by Unikraft\n");
        GuestConsoleHints.hint("Powered by Unikraft\n[    0.1] ERR:  [libukrandom] Could not initialize the HWRNG\n",
                new GuestConsoleHints.Context(true, 64L << 20, console));
        GuestConsoleHints.crashLine("Powered by Unikraft\n");
        new ConsoleTail(console).follow(OutputStream.nullOutputStream(), 0, () -> true);
    }

    /**
     * `pkg`, `pkg push` and `pkg pull` of the training app through a registry in memory on 127.0.0.1, so that
     * the HTTP client's classes are in the cache. Whatever goes wrong here only leaves them out of it.
     */
    private static void trainRegistry(Path dir, Path app, PrintWriter nowhere) {
        Terminal quiet = new Terminal(nowhere, nowhere, false);
        try (TrainingRegistry registry = new TrainingRegistry()) {
            String ref = registry.address() + "/train:1";
            Map<String, String> env = Map.of("HOME", dir.toString(), "PATH", System.getenv().getOrDefault("PATH", ""));
            Main.execute(new String[] {"pkg", "--no-color", "-n", ref, app.toString()}, quiet, env);
            Main.execute(new String[] {"pkg", "push", ref}, quiet, env);
            Main.execute(new String[] {"pkg", "pull", ref}, quiet,
                    Map.of("HOME", dir.toString(), "XDG_DATA_HOME", dir.resolve("pulled").toString(), "PATH",
                            System.getenv().getOrDefault("PATH", "")));
        } catch (java.io.IOException | RuntimeException e) {
            // a slower first push or pull, never a failed training
        }
    }

    /** run's parser and the preparation of a kernel file's machine, as `jkraft run KERNEL` goes. */
    private static void trainRun(Path dir, PrintWriter nowhere, Path kernel) {
        Map<String, String> env = Map.of("HOME", dir.toString(), "XDG_STATE_HOME", dir.resolve("state").toString());
        // picocli parses the options as for a run; a platform that does not run here ends the command
        // before it starts a QEMU.
        Main.execute(new String[] {"run", "-m", "x86_64", "-M", "64Mi", "--rm", "-p", "8080:80", "-e", "K=V",
                "--plat", "xen", kernel.toString(), "--", "a b"}, new Terminal(nowhere, nowhere, false), env);
        new RunService(() -> null, () -> null, VmmDrivers.standard(dir.resolve("cache"), new Invocation(dir, env)), env, dir, dir.resolve("cache"))
                .prepare(new RunRequest(kernel, null, null, Architecture.X86_64, null, null, "64Mi", 1, List.of(), List.of("K=V"),
                        List.of("8080:80"), List.of(), null, null, List.of("a b"), io.jkraft.machine.api.Acceleration.AUTO, null));
    }

    /** The store and the QEMU command, as `run` and `ps` use them, without starting QEMU. */
    private static void trainMachines(Path dir, Path kernel) {
        MachineStore store = MachineStore.open(dir.resolve("state"));
        MachineSpec spec = new MachineSpec(null, kernel, Platform.QEMU, Architecture.X86_64, 64L << 20, 1, List.of(), List.of("a b"),
                Map.of("K", "V"), List.of(RunFlags.port("8080:80")), List.of(), null, io.jkraft.machine.api.Acceleration.AUTO, null);
        MachineRecord r = store.create(spec);
        QemuCommand.create(r.spec(), new QemuStateDir(r.stateDir()),
                new QemuCommand.Options(Path.of("qemu-system-x86_64"), Accelerator.tcg("training"), false)).argv();
        new Reconciler(store).reconcile();
        store.delete(r.id());
        store.list();
    }

    private static void removeTrainingFolder(Path dir) {
        try {
            FileTrees.deleteRecursively(dir);
        } catch (IOException e) {
            // training is best effort: a leftover temporary folder must not fail it
        }
    }
}
