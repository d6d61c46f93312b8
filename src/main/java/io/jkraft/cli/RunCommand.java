package io.jkraft.cli;

import io.jkraft.common.Architecture;
import io.jkraft.common.ExitCode;
import io.jkraft.common.GdbEndpoint;
import io.jkraft.common.Platform;
import io.jkraft.machine.MachineLauncher;
import io.jkraft.machine.MachineService;
import io.jkraft.machine.api.MachineExit;
import io.jkraft.machine.api.MachineSpec;
import io.jkraft.run.RunRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Stack;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.IParameterConsumer;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Boot a unikernel: a project folder (built first when needed) or a kernel file.",
                "In the foreground the console streams here and Ctrl-C stops the machine; the exit status says how it "
                        + "ended."},
        modelTransformer = ExitCodeHelp.Run.class,
        footer = {"", "Examples:",
                "  jkraft run examples/helloworld",
                "  jkraft run -m arm64 -M 128Mi examples/helloworld -- first \"second arg\"",
                "  jkraft run -d -n web -p 8080:80 -v ./html:/www app/",
                "  jkraft run -d --network jk0 -p 8080:80 app/    (after: sudo jkraft net create jk0)",
                "  jkraft run --initrd rootfs.cpio .unikraft/build/app_qemu-x86_64",
                "  jkraft run -d --gdb=1234 app/    (then: gdb -ex 'target remote 127.0.0.1:1234' KERNEL.dbg)"})
public final class RunCommand extends JkraftCommand {

    @Spec
    CommandSpec spec;

    /** The arguments after {@code run} as given, when a caller other than picocli parsed them (profile). */
    List<String> originalArgs;

    @Parameters(arity = "0..*", paramLabel = "DIR|KERNEL", description = "What to boot (default: the current folder); application arguments follow --.")
    List<String> positionals = new ArrayList<>();

    @Option(names = {"-K", "--kraftfile"}, paramLabel = "FILE", description = "The Kraftfile to use.")
    Path kraftfile;

    @Option(names = "--plat", paramLabel = "PLAT", description = "Platform (only qemu runs here).")
    String plat;

    @Option(names = {"-m", "--arch"}, paramLabel = "ARCH", description = "Architecture: x86_64 or arm64 (default: the kernel's, or this machine's).")
    String arch;

    @Option(names = {"-t", "--target"}, paramLabel = "TARGET", description = "A Kraftfile target by name or plat/arch.")
    String target;

    @Option(names = {"-n", "--name"}, paramLabel = "NAME", description = "The machine's name (default: generated).")
    String name;

    @Option(names = {"-M", "--memory"}, paramLabel = "SIZE", description = "Guest memory, e.g. 64Mi, 512M, 1Gi (default: 64Mi).")
    String memory;

    @Option(names = "--cpus", paramLabel = "N", description = "Virtual CPUs (default: 1).")
    int cpus = 1;

    @Option(names = {"-a", "--kernel-arg"}, paramLabel = "ARG", description = "A library parameter such as netdev.ip=...; repeatable.")
    List<String> kernelArgs = new ArrayList<>();

    @Option(names = {"-e", "--env"}, paramLabel = "K=V", description = "An environment variable for the app (K alone takes this shell's value); repeatable.")
    List<String> env = new ArrayList<>();

    @Option(names = {"-p", "--port", "--publish"}, paramLabel = "[IP:]HOST:GUEST[/udp]", description = "Publish a port, on 127.0.0.1 unless an IP is given; repeatable.")
    List<String> ports = new ArrayList<>();

    @Option(names = "--network", paramLabel = "NAME[:IP]", description = "Attach a NIC on this network (`jkraft net "
            + "create`), at IP or the next free address; -p is then forwarded to it. Needs root or CAP_NET_ADMIN; repeatable.")
    List<String> networks = new ArrayList<>();

    @Option(names = {"-v", "--volume"}, paramLabel = "HOST:GUEST[:ro]", description = "Share a host folder over 9pfs; repeatable.")
    List<String> volumes = new ArrayList<>();

    @Option(names = "--initrd", paramLabel = "FILE", description = "Attach this cpio archive as the initrd.")
    Path initrd;

    @Option(names = "--rootfs", paramLabel = "PATH", description = "A folder (packed into a cpio) or a cpio file as the root file system.")
    String rootfs;

    @Option(names = {"-d", "--detach"}, description = "Start the machine and return; see it with ps and logs.")
    boolean detach;

    @Option(names = "--rm", description = "Remove the machine when it ends (foreground runs).")
    boolean rm;

    @Option(names = "--no-start", description = "Create the machine paused; resume it with unpause.")
    boolean noStart;

    @Option(names = {"-W", "--disable-acceleration"}, description = "Emulate (TCG) even when KVM works (--accel tcg).")
    boolean noAcceleration;

    @Option(names = "--accel", paramLabel = "auto|kvm|tcg", description = "auto (default): KVM when it really runs a "
            + "guest here, else TCG, and a guest KVM fails on at once is started again under TCG; kvm: KVM or an error; "
            + "tcg: emulate.")
    String accel;

    @Option(names = "--gdb", arity = "0..1", parameterConsumer = GdbPortConsumer.class, paramLabel = "PORT|unix:PATH",
            description = "Serve QEMU's gdbstub on 127.0.0.1:PORT, or on a unix socket at PATH (a free port without "
                    + "a value; `inspect` shows it).")
    String gdb;

    /**
     * {@code --gdb} takes a value only when a port or {@code unix:PATH} follows ({@code --gdb 1234},
     * {@code --gdb=unix:/tmp/g.sock}): with a plain optional value picocli would read {@code --gdb app} as the
     * port "app".
     */
    static final class GdbPortConsumer implements IParameterConsumer {
        @Override
        public void consumeParameters(Stack<String> args, ArgSpec option, CommandSpec command) {
            boolean value = !args.isEmpty() && GdbEndpoint.isValue(args.peek());
            option.setValue(value ? args.pop() : "");
        }
    }

    RunCommand(CliContext context) {
        super(context);
    }

    /**
     * Run's arguments parsed as {@code jkraft run ARGS} parses them, for commands that take them too
     * ({@code profile -- ARGS}); bad arguments are picocli's errors, as run's own.
     */
    static RunCommand parse(CliContext context, List<String> args) {
        picocli.CommandLine parser = new picocli.CommandLine(RunCommand.class, new CommandFactory(context));
        parser.parseArgs(args.toArray(String[]::new));
        RunCommand run = parser.getCommand();
        run.originalArgs = List.copyOf(args);
        return run;
    }

    @Override
    Integer execute() {
        RunRequest request = request();
        MachineSpec machine = context.runService(new ConsoleBuildListener(terminal, global)).prepare(request);
        MachineLauncher.Launched launched = context.machineLauncher().launch(machine, noStart);
        MachineService machines = launched.machines();
        MachineService.Started started = launched.started();
        String notice = started.plan().notice();
        if (notice != null && !noAcceleration && !global.quiet()) {
            terminal.err().println(notice);
        }
        if (detach || noStart) {
            machines.detach(started, fallBack -> {
                if (!global.quiet()) {
                    terminal.err().println(fallBack);
                }
            });
            terminal.out().println(started.record().name());
            return ExitCode.SUCCESS.code();
        }
        return foreground(machines, started);
    }

    /** What to run, from the parsed arguments; checks what can be checked without looking at files. */
    RunRequest request() {
        if (rm && (detach || noStart)) {
            throw new io.jkraft.common.UserException("--rm removes a machine when its foreground run ends",
                    "use it without -d/--no-start, and remove detached machines with `jkraft rm`");
        }
        List<String> args = originalArgs != null ? originalArgs : spec.commandLine().getParseResult().originalArgs();
        // picocli leaves the value of a --gdb=VALUE that is none to the positionals: refuse it here.
        args.stream().takeWhile(a -> !a.equals("--")).filter(a -> a.startsWith("--gdb=") && !GdbEndpoint.isValue(a.substring("--gdb=".length())))
                .findFirst().ifPresent(a -> {
                    throw GdbEndpoint.notAValue(a.substring("--gdb=".length()));
                });
        int dashes = args.indexOf("--");
        int appCount = dashes < 0 ? 0 : args.size() - dashes - 1;
        List<String> before = positionals.subList(0, positionals.size() - appCount);
        if (before.size() > 1) {
            throw new io.jkraft.common.UserException("run takes one project folder or kernel, got " + before,
                    "put application arguments after --, e.g. jkraft run app -- " + String.join(" ", before.subList(1, before.size())));
        }
        return new RunRequest(before.isEmpty() ? null : Path.of(before.getFirst()), kraftfile,
                plat == null ? null : Platform.parse(plat), arch == null ? null : Architecture.parse(arch), target, name,
                memory, cpus, kernelArgs, env, ports, volumes, initrd, rootfs,
                dashes < 0 ? null : List.copyOf(positionals.subList(positionals.size() - appCount, positionals.size())),
                acceleration(), gdb).withNetworks(networks);
    }

    private io.jkraft.machine.api.Acceleration acceleration() {
        io.jkraft.machine.api.Acceleration asked = accel == null ? null : io.jkraft.machine.api.Acceleration.parse(accel);
        if (noAcceleration && asked != null && asked != io.jkraft.machine.api.Acceleration.TCG) {
            throw new io.jkraft.common.UserException("-W (emulate) and --accel " + accel + " contradict each other",
                    "give one of them");
        }
        return noAcceleration ? io.jkraft.machine.api.Acceleration.TCG
                : asked == null ? io.jkraft.machine.api.Acceleration.AUTO : asked;
    }

    private int foreground(MachineService machines, MachineService.Started started) {
        String id = started.record().id();
        AtomicBoolean done = new AtomicBoolean();
        // QEMU runs in a session of its own and never sees Ctrl-C: the JVM's shutdown stops it.
        Runnable undo = context.interrupts().onInterrupt(() -> {
            if (done.compareAndSet(false, true)) {
                machines.stop(id);
                if (rm) {
                    machines.remove(id, true);
                }
            }
        });
        MachineExit exit;
        try {
            exit = machines.follow(started, terminal.console(), notice -> {
                if (!global.quiet()) {
                    terminal.err().println(notice);
                }
            });
        } catch (java.io.UncheckedIOException e) {
            if (!(e.getCause() instanceof io.jkraft.machine.api.ConsoleTail.OutputClosedException)) {
                throw e;
            }
            // Nobody reads the console any more (`| head` ended): end as a program killed by SIGPIPE would,
            // and take the machine with it, as Ctrl-C does.
            if (done.compareAndSet(false, true)) {
                undo.run();
                machines.stop(id);
                if (rm) {
                    machines.remove(id, true);
                }
            }
            return ExitCode.OUTPUT_CLOSED.code();
        }
        if (!done.compareAndSet(false, true)) {
            return ExitCode.INTERRUPTED.code();
        }
        undo.run();
        if (rm) {
            machines.remove(id, true);
        }
        if (!exit.success() || exit.hint() != null) {
            terminal.err().println((exit.success() ? "" : terminal.red("error: ")) + exit.detail());
            if (exit.hint() != null) {
                terminal.err().println("hint: " + exit.hint());
            }
        }
        ExitCode status = switch (exit.outcome()) {
            case POWERED_OFF -> ExitCode.SUCCESS;
            case STOPPED -> ExitCode.INTERRUPTED;
            case CRASHED -> ExitCode.GUEST_CRASHED;
            case FAILED, LOST -> ExitCode.QEMU_FAILED;
            case STALLED -> ExitCode.GUEST_STOPPED;
        };
        return status.code();
    }
}
