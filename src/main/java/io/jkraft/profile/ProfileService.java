package io.jkraft.profile;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkraft.common.UserException;
import io.jkraft.machine.MachineService;
import io.jkraft.machine.store.MachineRecord;
import io.jkraft.machine.store.MachineStatus;
import io.jkraft.profile.flame.FlameHtml;
import io.jkraft.profile.flame.FlameSvg;
import io.jkraft.profile.flame.FoldedStacks;
import io.jkraft.profile.flame.TopFunctions;
import io.jkraft.profile.flame.TopFunctions.FunctionCost;
import io.jkraft.profile.gdb.GdbClient;
import io.jkraft.profile.gdb.GuestExitedException;
import io.jkraft.profile.sample.GuestMemory;
import io.jkraft.profile.sample.RegisterSnapshot;
import io.jkraft.profile.stack.Frame;
import io.jkraft.profile.stack.StackUnwinder;
import io.jkraft.profile.stack.SymbolTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * uniprof's method on QEMU: at a fixed rate, stop the guest through its gdbstub, read every vCPU's
 * registers, walk each stack through guest memory, resume; then fold the stacks and draw them.
 *
 * <p>A sample is one write to QEMU: the interrupt, the registers, the stack where the last sample found it,
 * and the {@code c}; QEMU answers and resumes the guest at once, and the walk runs while the guest does. When
 * the walk needs memory that was not read with the registers (the stack moved), the sample is taken again
 * right away with the guest stopped until its walk is done, and what that walk read is asked for next time.
 *
 * <p>The schedule is absolute (sample k is due at start + k * period), so a slow sample does not shift
 * the ones after it; a sample that starts more than a period late counts the periods it skipped as missed
 * deadlines. The guest's slowdown is measured by its vCPU threads' run time ({@link SlowdownMeter}); the
 * report also gives an upper bound of the time it was stopped: from sending the interrupt to the arrival of
 * the last answer (or to the {@code c} of a sample taken again), which includes both ways through the socket.
 */
public final class ProfileService {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /**
     * The stack block read with the registers: from 1 KiB below where the last sample found the stack
     * pointer to 3 KiB above it, which holds the next walk's window (2 KiB from sp) unless the stack moved
     * further (then the walk reads it itself).
     */
    private static final int PREFETCH_BELOW = 1024;
    private static final int PREFETCH = 4096;
    /** Reads beyond that block that the last walk needed (frames further up), asked for in the same round trip. */
    private static final int MAX_EXTRA_BLOCKS = 16;

    private final MachineService machines;

    public ProfileService(MachineService machines) {
        this.machines = machines;
    }

    /**
     * @param hz        samples per second
     * @param duration  how long to sample at most (the guest may end first)
     * @param outDir    where the folded stacks and the flame graphs go
     */
    public record Options(int hz, Duration duration, Path outDir) {
        public Options {
            if (hz < 1 || hz > 100_000) {
                throw new UserException("-F " + hz + ": the sample rate must be between 1 and 100000 Hz", "e.g. -F 200");
            }
            if (duration.isNegative() || duration.isZero()) {
                throw new UserException("-T must be a positive number of seconds", "e.g. -T 3");
            }
        }
    }

    /** What a profile found and where it wrote it. */
    public record Report(String machine, int vcpus, long samples, long stacks, Duration elapsed, long missedDeadlines,
            long retaken, double stoppedShare, Optional<VcpuTime> vcpuTime, boolean guestEnded,
            List<FunctionCost> topSelf, List<FunctionCost> topTotal, Path folded, Path svg, Path html) {
        /** Samples taken per second of wall time. */
        public double achievedHz() {
            return elapsed.isZero() ? 0 : samples * 1e9 / elapsed.toNanos();
        }
    }

    /** Something to tell the user while sampling runs. */
    public interface Progress {
        Progress SILENT = (samples, elapsed) -> {};

        void sampled(long samples, Duration elapsed);
    }

    /** Profiles a running machine: opens its gdbstub when it has none, samples, writes OUT, detaches. */
    public Report profile(String name, Options options, Progress progress) {
        MachineRecord machine = machines.inspect(name);
        if (machine.status() != MachineStatus.RUNNING) {
            throw new UserException("cannot profile " + machine.name() + ": it is " + machine.status().word(),
                    "start it first (`jkraft start " + machine.name() + "`)");
        }
        SlowdownMeter meter = SlowdownMeter.start(machine.pid());
        Path dbg = debugImage(machine);
        SymbolTable symbols;
        try {
            symbols = SymbolTable.load(dbg);
        } catch (IOException e) {
            throw new UserException("cannot read the symbols of " + dbg + ": " + e.getMessage(), null, e);
        }
        if (machine.spec().gdb() == null) {
            machine = machines.openGdbStub(machine.id(), 0);
        }
        try {
            meter.endBaseline();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the sampling loop sees it and ends at once
        }
        boolean batch = SamplerScheduling.batch();
        try (GdbClient gdb = GdbClient.connect(machine.spec().gdb().address(), CONNECT_TIMEOUT)) {
            return sample(machine, gdb, new StackUnwinder(symbols), options, progress, meter);
        } catch (IOException e) {
            throw new UserException("cannot profile " + machine.name() + " through its gdbstub on "
                    + machine.spec().gdb() + ": " + e.getMessage(), "is another debugger attached to it?", e);
        } finally {
            if (batch) {
                SamplerScheduling.normal();
            }
        }
    }

    private Report sample(MachineRecord machine, GdbClient gdb, StackUnwinder unwinder, Options options,
            Progress progress, SlowdownMeter meter) throws IOException {
        FoldedStacks stacks = new FoldedStacks();
        long period = 1_000_000_000L / options.hz();
        long start = System.nanoTime();
        long end = start + options.duration().toNanos();
        long samples = 0;
        long walked = 0;
        long missed = 0;
        long stopped = 0;
        int vcpus = 0;
        boolean ended = false;
        long due = start;
        long lastReport = start;
        List<Long> lastSps = List.of();
        List<GdbClient.Block> lastMisses = List.of();
        long retaken = 0;
        meter.samplingStarts();
        while (true) {
            long now = System.nanoTime();
            if (now < due) {
                sleepNanos(due - now);
                now = System.nanoTime();
            }
            // An interrupt (Ctrl-C of a command the resident helper runs) ends the sampling like the time
            // limit; the flag is cleared so that the report's files can still be written.
            if (now >= end || Thread.interrupted()) {
                break;
            }
            if (now - due >= period) {
                long late = (now - due) / period;
                missed += late;
                due += late * period;
            }
            long t0 = System.nanoTime();
            long resumed;
            try {
                List<GdbClient.Block> blocks = prefetch(lastSps, lastMisses);
                Taken taken;
                if (!lastSps.isEmpty()) {
                    GdbClient.Sample sample = gdb.sampleAndResume(blocks);
                    resumed = sample.answeredNanos();
                    taken = walk(sample, unwinder, NOT_PREFETCHED);
                    if (!taken.misses().isEmpty()) {
                        // The stack moved beyond what was read with the registers: take this sample again the
                        // slow way, with what this one found as the guess, rather than keep a cut-off stack.
                        retaken++;
                        long t2 = System.nanoTime();
                        List<GdbClient.Block> again = prefetch(taken.sps(), taken.misses());
                        taken = walkStopped(gdb, again, unwinder);
                        resumed += System.nanoTime() - t2;
                    }
                } else {
                    taken = walkStopped(gdb, blocks, unwinder);
                    resumed = System.nanoTime();
                }
                vcpus = Math.max(vcpus, taken.sps().size());
                taken.walks().forEach(stacks::addFrames);
                walked += taken.walks().size();
                lastSps = taken.sps();
                lastMisses = taken.misses().stream().limit(MAX_EXTRA_BLOCKS).toList();
            } catch (GuestExitedException e) {
                ended = true;
                break;
            }
            long t1 = System.nanoTime();
            stopped += resumed - t0;
            samples++;
            due += period;
            if (t1 - lastReport >= 1_000_000_000L) {
                progress.sampled(samples, Duration.ofNanos(t1 - start));
                lastReport = t1;
            }
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        meter.samplingEnded();
        if (!ended) {
            detachQuietly(gdb);
        }
        return write(machine, options, stacks, new Counts(vcpus, samples, walked, elapsed, missed, retaken,
                elapsed.isZero() ? 0 : (double) stopped / elapsed.toNanos(), meter.result(), ended));
    }

    /** The stacks of one sample, where their vCPUs' stack pointers were, and what the walks read beyond the prefetch. */
    private record Taken(List<List<Frame>> walks, List<Long> sps, List<GdbClient.Block> misses) {}

    /** Memory a walk reads after the guest has resumed: only what came with the registers. */
    private static final GuestMemory NOT_PREFETCHED = (address, length) -> {
        throw new IOException("not read with the registers");
    };

    /** Each vCPU's stack around where the last sample found its sp, and the reads beyond it that walk needed. */
    private static List<GdbClient.Block> prefetch(List<Long> sps, List<GdbClient.Block> misses) {
        List<GdbClient.Block> blocks = new ArrayList<>();
        for (long sp : sps) {
            blocks.add(new GdbClient.Block(sp - PREFETCH_BELOW, PREFETCH));
        }
        blocks.addAll(misses);
        return blocks;
    }

    private static Taken walk(GdbClient.Sample sample, StackUnwinder unwinder, GuestMemory rest) {
        PrefetchedMemory memory = new PrefetchedMemory(sample.blocks(), sample.memory(), rest);
        List<List<Frame>> walks = new ArrayList<>();
        List<Long> sps = new ArrayList<>();
        for (RegisterSnapshot r : sample.registers().values()) {
            walks.add(unwinder.unwind(r, memory));
            sps.add(r.sp());
        }
        return new Taken(walks, sps, memory.misses());
    }

    /** A sample with the guest stopped until the walks are done: they read what the prefetch lacks. */
    private static Taken walkStopped(GdbClient gdb, List<GdbClient.Block> blocks, StackUnwinder unwinder)
            throws IOException {
        Taken taken = walk(gdb.sample(blocks), unwinder, gdb.memory());
        gdb.resume();
        return taken;
    }

    /** What the sampling loop counted, for the report. */
    private record Counts(int vcpus, long samples, long walked, Duration elapsed, long missed, long retaken,
            double stoppedShare, Optional<VcpuTime> vcpuTime, boolean ended) {}

    private static Report write(MachineRecord machine, Options options, FoldedStacks stacks, Counts c)
            throws IOException {
        Files.createDirectories(options.outDir());
        Path folded = options.outDir().resolve(machine.name() + ".folded");
        Path svg = options.outDir().resolve(machine.name() + ".svg");
        Path html = options.outDir().resolve(machine.name() + ".html");
        String title = "jkraft profile " + machine.name() + " (" + c.samples() + " samples at " + options.hz() + " Hz)";
        stacks.write(folded);
        FlameSvg.write(stacks, title, svg);
        FlameHtml.write(stacks, title, html);
        Report report = new Report(machine.name(), c.vcpus(), c.samples(), c.walked(), c.elapsed(), c.missed(),
                c.retaken(), c.stoppedShare(), c.vcpuTime(), c.ended(), TopFunctions.bySelf(stacks, 10),
                TopFunctions.byTotal(stacks, 10), folded, svg, html);
        writeJson(report, options, options.outDir().resolve(machine.name() + ".json"));
        return report;
    }

    /** The report as JSON beside the graphs, for scripts (-o names the output folder, so there is no -o json). */
    private static void writeJson(Report r, Options options, Path file) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("machine", r.machine());
        json.put("vcpus", r.vcpus());
        json.put("samples", r.samples());
        json.put("stacks", r.stacks());
        json.put("seconds", r.elapsed().toNanos() / 1e9);
        json.put("requestedHz", options.hz());
        json.put("achievedHz", r.achievedHz());
        json.put("missedDeadlines", r.missedDeadlines());
        json.put("retakenSamples", r.retaken());
        json.put("stoppedShare", r.stoppedShare());
        r.vcpuTime().ifPresent(t -> {
            json.put("vcpuRunShareBefore", t.runBefore());
            json.put("vcpuRunShareSampled", t.runSampled());
            json.put("vcpuWaitShareSampled", t.waitSampled());
        });
        json.put("slowdown", r.vcpuTime().flatMap(VcpuTime::slowdown).orElse(null));
        json.put("guestEnded", r.guestEnded());
        json.put("topSelf", r.topSelf());
        json.put("topTotal", r.topTotal());
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), json);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * The unstripped kernel beside the one the machine boots: a build leaves {@code K.dbg} next to
     * {@code K}, and an image unpacked for run has its kernel.dbg layer there when it was packed with one.
     */
    public static Path debugImage(MachineRecord machine) {
        Path kernel = machine.spec().kernel();
        Path dbg = kernel.resolveSibling(kernel.getFileName() + ".dbg");
        if (!Files.isRegularFile(dbg)) {
            throw new UserException("no symbols for " + machine.name() + ": " + dbg + " does not exist",
                    "profiling needs the unstripped kernel the build leaves beside the kernel (K.dbg); "
                            + "for an image, pack it with --dbg");
        }
        return dbg;
    }

    private static void detachQuietly(GdbClient gdb) {
        try {
            gdb.detach();
        } catch (IOException e) {
            // The guest runs on either way: QEMU resumes a guest whose debugger goes away.
        }
    }

    private static void sleepNanos(long nanos) {
        try {
            Thread.sleep(Duration.ofNanos(nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
