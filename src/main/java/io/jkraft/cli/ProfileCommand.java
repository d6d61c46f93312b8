package io.jkraft.cli;

import io.jkraft.common.ExitCode;
import io.jkraft.common.UserException;
import io.jkraft.machine.MachineLauncher;
import io.jkraft.machine.MachineService;
import io.jkraft.machine.api.MachineSpec;
import io.jkraft.profile.ProfileService;
import io.jkraft.profile.VcpuTime;
import io.jkraft.profile.flame.TopFunctions.FunctionCost;
import io.jkraft.run.RunRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "profile", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Sample a running machine's stacks through QEMU's gdbstub and draw flame graphs.",
                "Writes OUT/NAME.folded (FlameGraph's format), OUT/NAME.svg, OUT/NAME.html and the report as "
                        + "OUT/NAME.json, and prints the hottest functions. With -- RUN ARGS, starts the machine as `jkraft run` would, profiles "
                        + "it, then stops and removes it."},
        footer = {"", "Examples:",
                "  jkraft profile web -F 200 -T 3 -o prof",
                "  jkraft profile -F 1000 -T 5 -- -m arm64 examples/spin"})
public final class ProfileCommand extends JkraftCommand {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "NAME", description = "The machine (or, after --, run's arguments).")
    List<String> positionals = new ArrayList<>();

    @Option(names = {"-F", "--frequency"}, paramLabel = "HZ", description = "Samples per second (default: 100).")
    int hz = 100;

    @Option(names = {"-T", "--time"}, paramLabel = "SECONDS", description = "How long to sample (default: 10; less if the guest ends).")
    double seconds = 10;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", description = "Where to write the results (default: the current folder).")
    Path out = Path.of("");

    ProfileCommand(CliContext context) {
        super(context);
    }

    @Override
    Integer execute() {
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        int dashes = args.indexOf("--");
        int runCount = dashes < 0 ? 0 : args.size() - dashes - 1;
        List<String> names = positionals.subList(0, positionals.size() - runCount);
        List<String> runArgs = positionals.subList(positionals.size() - runCount, positionals.size());
        ProfileService.Options options = new ProfileService.Options(hz, Duration.ofMillis(Math.round(seconds * 1000)),
                context.invocation().resolve(out));
        MachineService machines = context.machineService();
        ProfileService profiler = new ProfileService(machines);
        if (dashes >= 0) {
            if (!names.isEmpty()) {
                throw new UserException("profile takes a machine name or, after --, run's arguments; not both",
                        "jkraft profile NAME, or jkraft profile -- APP");
            }
            String name = startDetached(runArgs);
            try {
                print(profiler.profile(name, options, this::progress), options);
            } finally {
                machines.stop(name);
                machines.remove(name, true);
            }
            return ExitCode.SUCCESS.code();
        }
        if (names.size() != 1) {
            throw new UserException("profile takes one machine name" + (names.isEmpty() ? "" : ", got " + names),
                    "see running machines with `jkraft ps`, or start one: jkraft profile -- APP");
        }
        print(profiler.profile(names.getFirst(), options, this::progress), options);
        return ExitCode.SUCCESS.code();
    }

    /** Starts what run's arguments name, as run starts it, detached and with a gdbstub; returns the machine's name. */
    private String startDetached(List<String> runArgs) {
        RunRequest request = RunCommand.parse(context, runArgs).request();
        if (request.gdb() == null) {
            request = request.withGdb("");
        }
        MachineSpec machine = context.runService(new ConsoleBuildListener(terminal, global)).prepare(request);
        MachineLauncher.Launched launched = context.machineLauncher().launch(machine, false);
        launched.machines().detach(launched.started());
        return launched.started().record().name();
    }

    private void progress(long samples, Duration elapsed) {
        if (terminal.interactive()) {
            terminal.err().printf("\r%d samples in %.1f s", samples, elapsed.toMillis() / 1000.0);
            terminal.err().flush();
        }
    }

    /** The vCPUs' lost run time when it could be measured, else the upper bound of the time the guest was stopped. */
    private static String slowdown(ProfileService.Report r) {
        String stopped = String.format(Locale.ROOT, "guest stopped at most %.1f%% of the time", r.stoppedShare() * 100);
        if (r.vcpuTime().isEmpty()) {
            return stopped;
        }
        VcpuTime t = r.vcpuTime().get();
        String ran = String.format(Locale.ROOT, "its vCPU%s ran %.1f%% of the time while sampled, %.1f%% before",
                r.vcpus() == 1 ? "" : "s", t.runSampled() * 100, t.runBefore() * 100);
        return t.slowdown()
                .map(s -> String.format(Locale.ROOT, "guest slowdown %.1f%% (%s)", s * 100, ran))
                .orElse(stopped + " (" + ran + ": too idle to measure a slowdown)");
    }

    private void print(ProfileService.Report r, ProfileService.Options options) {
        if (terminal.interactive()) {
            terminal.err().print("\r\033[K");
        }
        var o = terminal.out();
        o.printf(Locale.ROOT, "profiled %s: %d samples of %d vCPU%s in %.2f s: %.0f Hz achieved of %d requested, "
                        + "%d missed deadlines, %s%s%n",
                r.machine(), r.samples(), r.vcpus(), r.vcpus() == 1 ? "" : "s", r.elapsed().toMillis() / 1000.0,
                r.achievedHz(), options.hz(), r.missedDeadlines(), slowdown(r),
                r.guestEnded() ? " (the guest ended)" : "");
        o.println();
        o.printf("%7s %7s  %s%n", "self", "total", "function (by self)");
        for (FunctionCost f : r.topSelf()) {
            o.printf(Locale.ROOT, "%6.1f%% %6.1f%%  %s%n", f.selfPercent(), f.totalPercent(), f.name());
        }
        o.println();
        o.printf("%7s %7s  %s%n", "self", "total", "function (by total)");
        for (FunctionCost f : r.topTotal()) {
            o.printf(Locale.ROOT, "%6.1f%% %6.1f%%  %s%n", f.selfPercent(), f.totalPercent(), f.name());
        }
        o.println();
        o.println("wrote " + r.folded() + ", " + r.svg() + ", " + r.html() + " and the report as "
                + r.folded().resolveSibling(r.machine() + ".json").getFileName());
        o.flush();
    }
}
