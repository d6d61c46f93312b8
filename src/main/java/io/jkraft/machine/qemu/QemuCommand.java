package io.jkraft.machine.qemu;

import io.jkraft.common.Architecture;
import io.jkraft.common.Platform;
import io.jkraft.common.UserException;
import io.jkraft.machine.api.MachineSpec;
import io.jkraft.machine.api.MachineSpec.PortMapping;
import io.jkraft.machine.api.MachineSpec.VolumeMapping;
import io.jkraft.machine.api.NetworkInterface;
import io.jkraft.machine.qemu.QemuOption.Flag;
import io.jkraft.machine.qemu.QemuOption.Props;
import io.jkraft.machine.qemu.QemuOption.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The QEMU invocation for one machine: a {@link MachineSpec} plus its state folder, as typed options.
 *
 * <p>Choices made for a fast start under emulation (time to a real Unikraft helloworld's first console
 * line on x86_64 under TCG, medians of 15: 273 ms with the catalog's plain {@code -nographic -m 8 -cpu
 * max}, 167 ms with {@code pc} and qboot, 154 ms with {@code microvm}): {@code -nodefaults} drops the
 * default NIC, VGA and their option ROMs. On x86_64 a machine without PCI devices and with one vCPU is a
 * {@code microvm} (qboot-based firmware, no PCI bus, no ACPI tables to build); with several vCPUs it is
 * a {@code pc} booting through qboot, which is as fast to boot but keeps the MP/ACPI tables Unikraft's SMP
 * start-up reads. Machines with ports or volumes are a {@code pc} with SeaBIOS, because their virtio
 * devices are PCI devices and qboot leaves PCI BARs unassigned (Unikraft's virtio-pci probe then hangs).
 * A halting guest ends QEMU on every one of them through {@code isa-debug-exit}.
 *
 * <p>x86_64 also gets {@code isa-debug-exit}: Unikraft (KVM_VMM_QEMU) writes to it when it halts, so
 * QEMU exits with {@value #GUEST_POWER_OFF_STATUS} after a normal halt and {@value #GUEST_CRASH_STATUS}
 * after a crash, instead of 0 for both.
 */
public final class QemuCommand {

    /** QEMU's exit status when an x86_64 Unikraft guest halts normally (isa-debug-exit 41). */
    public static final int GUEST_POWER_OFF_STATUS = 83;
    /** QEMU's exit status when an x86_64 Unikraft guest crashes (isa-debug-exit 42). */
    public static final int GUEST_CRASH_STATUS = 85;

    private static final String QBOOT = "qboot.rom";
    static final String MICROVM_BIOS = "bios-microvm.bin";

    /**
     * How to run, decided outside the spec.
     *
     * @param binary      the QEMU executable
     * @param accelerator KVM or TCG
     * @param qboot       whether qboot.rom can be used (see {@link #hasFirmware})
     * @param microvm     whether the microvm machine's firmware can be used
     * @param firmwareDir where those were found when QEMU would not find them by itself (a wrapper script
     *                    on PATH), so they are given by absolute path; null when QEMU finds them
     */
    public record Options(Path binary, Accelerator accelerator, boolean qboot, boolean microvm, Path firmwareDir) {
        public Options(Path binary, Accelerator accelerator, boolean qboot, boolean microvm) {
            this(binary, accelerator, qboot, microvm, null);
        }

        /** Without microvm's firmware. */
        public Options(Path binary, Accelerator accelerator, boolean qboot) {
            this(binary, accelerator, qboot, false);
        }

        /**
         * What the QEMU at {@code binary} offers. A QEMU that is not where its firmware is (a wrapper script, as
         * some set-ups and CI put on PATH) would lose the fast machines (microvm, qboot): then the distribution's
         * data folders are looked in, and the firmware given by path.
         */
        public static Options detect(Path binary, Accelerator accelerator) {
            Path own = ownDataDir(binary);
            if (own != null && Files.isRegularFile(own.resolve(MICROVM_BIOS))) {
                return new Options(binary, accelerator, Files.isRegularFile(own.resolve(QBOOT)), true, null);
            }
            for (Path shared : SHARED_DATA_DIRS) {
                if (Files.isRegularFile(shared.resolve(MICROVM_BIOS)) && Files.isRegularFile(shared.resolve(QBOOT))) {
                    return new Options(binary, accelerator, true, true, shared);
                }
            }
            return new Options(binary, accelerator, own != null && Files.isRegularFile(own.resolve(QBOOT)), false, null);
        }
    }

    /** Where distributions install QEMU's firmware. */
    private static final List<Path> SHARED_DATA_DIRS = List.of(Path.of("/usr/share/qemu"), Path.of("/usr/local/share/qemu"));

    private final List<QemuOption> options;
    private final Path binary;
    private final String commandLine;
    private final List<Forwarder> forwarders;
    private final List<String> taps;

    private QemuCommand(Path binary, List<QemuOption> options, String commandLine, List<Forwarder> forwarders,
            List<String> taps) {
        this.binary = binary;
        this.options = List.copyOf(options);
        this.commandLine = commandLine;
        this.forwarders = List.copyOf(forwarders);
        this.taps = List.copyOf(taps);
    }

    /**
     * A published port of a machine on a network, forwarded by socat beside QEMU (user networking, which
     * forwards ports otherwise, is not attached then): socat's listening and connecting addresses.
     */
    public record Forwarder(String listen, String connect) {}

    /**
     * The guest's own exit status behind QEMU's: Unikraft ends x86_64 guests through isa-debug-exit,
     * which turns a clean halt into QEMU status 83 and a crash into 85.
     */
    public static int guestExitStatus(int vmmExitCode) {
        return switch (vmmExitCode) {
            case GUEST_POWER_OFF_STATUS -> 0;
            case GUEST_CRASH_STATUS -> 1;
            default -> vmmExitCode;
        };
    }

    /** The QEMU program for an architecture: {@code qemu-system-x86_64} or {@code qemu-system-aarch64}. */
    public static String binaryName(Architecture architecture) {
        return switch (architecture) {
            case X86_64 -> "qemu-system-x86_64";
            case ARM64 -> "qemu-system-aarch64";
            case ARM -> throw new UserException("QEMU cannot run architecture '" + architecture + "'",
                    "use x86_64 or arm64");
        };
    }

    /**
     * Whether QEMU installed at {@code binary} ships a firmware file: QEMU looks for firmware in
     * {@code <prefix>/share/qemu} next to its {@code bin} folder (see {@code qemu -L help}).
     */
    static boolean hasFirmware(Path binary, String name) {
        Path own = ownDataDir(binary);
        return own != null && Files.isRegularFile(own.resolve(name));
    }

    private static Path ownDataDir(Path binary) {
        try {
            Path bin = binary.toRealPath().getParent();
            return bin == null || bin.getParent() == null ? null : bin.resolveSibling("share").resolve("qemu");
        } catch (java.io.IOException e) {
            return null;
        }
    }

    public static QemuCommand create(MachineSpec spec, QemuStateDir state, Options how) {
        return create(spec, state, how, false);
    }

    /**
     * @param userAddress give the guest slirp's address on its command line ({@link NetdevParameters}): only for a
     *                    kernel that reads {@code netdev.ip}, behind user networking
     */
    public static QemuCommand create(MachineSpec spec, QemuStateDir state, Options how, boolean userAddress) {
        if (spec.platform() != Platform.QEMU) {
            throw new UserException("the '" + spec.platform() + "' platform is not run with QEMU",
                    "build and run the qemu target (-p qemu)");
        }
        boolean x86 = binaryName(spec.architecture()).endsWith("x86_64");
        boolean pciDevices = !spec.ports().isEmpty() || !spec.volumes().isEmpty() || !spec.networks().isEmpty();

        List<QemuOption> o = new ArrayList<>();
        o.add(new Flag("nographic"));
        o.add(new Flag("nodefaults"));
        o.add(new Flag("no-user-config"));
        o.add(new Flag("no-reboot"));
        // Always created paused; QemuProcess resumes it over QMP unless asked to keep it paused. QEMU 7.2 can
        // hang forever at exit when a QMP command is in flight as the guest powers off, and a unikernel may
        // power off within milliseconds, during the start-up handshake.
        o.add(new Flag("S"));
        // Named threads ("CPU 0/TCG"): the profiler measures the guest's slowdown from its vCPU threads' run time.
        o.add(Props.of("name", null).with("guest", spec.name()).with("debug-threads", "on"));
        o.add(new Value("pidfile", state.pidFile().toString()));
        boolean microvm = x86 && how.microvm() && !pciDevices && spec.cpus() <= 1;
        o.addAll(machine(x86 ? (microvm ? "microvm" : "pc") : "virt", x86, how.accelerator()));
        if (x86 && !microvm && how.qboot() && !pciDevices) {
            o.add(new Value("bios", how.firmwareDir() == null ? QBOOT : how.firmwareDir().resolve(QBOOT).toString()));
        } else if (microvm && how.firmwareDir() != null) {
            o.add(new Value("bios", how.firmwareDir().resolve(MICROVM_BIOS).toString()));
        }
        o.add(new Value("m", mebibytes(spec.memoryBytes()) + "M"));
        o.add(Props.of("smp", null).with("cpus", Integer.toString(Math.max(1, spec.cpus()))));
        o.add(new Value("display", "none"));
        if (x86) {
            o.add(new Value("vga", "none"));
        }
        o.add(new Value("parallel", "none"));
        o.add(Props.of("rtc", null).with("base", "utc"));
        o.add(Props.of("chardev", "file").with("id", "console").with("path", state.consoleLog().toString()));
        o.add(new Value("serial", "chardev:console"));
        // Bare socket names: QEMU runs in the state folder (see QemuStateDir#reach), so a folder of any length
        // works. Two monitors, because QEMU serves one client per monitor: a foreground run holds the second
        // to follow QEMU's events while ps, stop and pause use the first.
        for (String monitor : List.of(QemuStateDir.QMP_SOCKET, QemuStateDir.EVENTS_SOCKET)) {
            String id = monitor.substring(0, monitor.indexOf('.'));
            o.add(Props.of("chardev", "socket").with("id", id).with("path", monitor)
                    .with("server", "on").with("wait", "off"));
            o.add(Props.of("mon", null).with("chardev", id).with("mode", "control"));
        }
        if (spec.gdb() != null) {
            // Loopback only: the gdbstub reads and writes all guest memory without authentication.
            o.add(new Value("gdb", spec.gdb().qemuDevice()));
        }
        if (x86) {
            o.add(Props.of("device", "isa-debug-exit"));
            // A guest that reports a panic (pvpanic, I/O port 0x505) is kept as it is, paused, rather than reset
            // or powered off: the run's follower sees the state (guest-panicked), says so and ends QEMU.
            o.add(Props.of("device", "pvpanic"));
        }
        o.add(Props.of("action", null).with("panic", "pause"));
        // QEMU logs "Guest crashed" there on a panic: how a later ps learns of it without asking QEMU.
        o.add(new Value("d", "guest_errors"));
        o.add(new Value("D", state.guestErrorsLog().toString()));
        o.addAll(spec.networks().isEmpty() ? network(spec.ports()) : taps(spec.networks()));
        o.addAll(volumes(spec.volumes()));
        // Absolute: QEMU's working folder is the state folder, not the user's.
        o.add(new Value("kernel", spec.kernel().toAbsolutePath().toString()));
        if (spec.initrd() != null) {
            o.add(new Value("initrd", spec.initrd().toAbsolutePath().toString()));
        }
        // The addresses first, so that a netdev.ip the user gives with -a wins (Unikraft keeps a parameter's last value).
        List<String> libraryParams = new ArrayList<>(spec.networks().stream().map(NetworkInterface::netdevIp).toList());
        if (userAddress && spec.networks().isEmpty() && !spec.ports().isEmpty()) {
            libraryParams.add(NetdevParameters.USER_NETWORK);
        }
        libraryParams.addAll(spec.kernelArgs());
        String commandLine = KernelCommandLine.of(x86 ? null : spec.kernel().getFileName().toString(),
                libraryParams, spec.env(), fstab(spec), spec.appArgs());
        if (!commandLine.isEmpty()) {
            o.add(new Value("append", commandLine));
        }
        return new QemuCommand(how.binary(), o, commandLine, forwarders(spec),
                spec.networks().stream().map(NetworkInterface::tap).toList());
    }

    /** The port forwarders to start beside QEMU: a machine on a network has its ports forwarded to its first NIC. */
    public List<Forwarder> forwarders() {
        return forwarders;
    }

    /** The host's tap devices this QEMU uses, removed once it ends. */
    public List<String> taps() {
        return taps;
    }

    private static List<Forwarder> forwarders(MachineSpec spec) {
        if (spec.networks().isEmpty()) {
            return List.of();
        }
        String guest = spec.networks().getFirst().ip().ip();
        List<Forwarder> out = new ArrayList<>();
        for (PortMapping p : spec.ports()) {
            String host = p.hostIp() == null || p.hostIp().isEmpty() ? "127.0.0.1" : p.hostIp();
            String protocol = "udp".equals(p.protocol()) ? "UDP" : "TCP";
            boolean v6 = host.contains(":");
            out.add(new Forwarder(protocol + (v6 ? "6" : "") + "-LISTEN:" + p.hostPort() + ",bind=" + (v6 ? "[" + host + "]" : host)
                    + ",fork,reuseaddr", protocol + ":" + guest + ":" + p.guestPort()));
        }
        return out;
    }

    /** A virtio-net NIC per interface on its tap, which jkraft made on the bridge (QEMU runs no scripts). */
    private static List<QemuOption> taps(List<NetworkInterface> nics) {
        List<QemuOption> o = new ArrayList<>();
        for (int i = 0; i < nics.size(); i++) {
            NetworkInterface nic = nics.get(i);
            String id = "net" + i;
            o.add(Props.of("netdev", "tap").with("id", id).with("ifname", nic.tap()).with("script", "no")
                    .with("downscript", "no"));
            // virtio-net-pci on both: x86's pc and arm64's virt have a PCI bus; romfile= as for user networking.
            o.add(Props.of("device", "virtio-net-pci").with("netdev", id).with("mac", nic.mac()).with("romfile", ""));
        }
        return o;
    }

    /** QEMU's chardev address of a loopback gdbstub, for {@code -gdb} and the monitor's {@code gdbserver}. */
    public List<QemuOption> options() {
        return options;
    }

    /** The full argv, program first. */
    public List<String> argv() {
        List<String> argv = new ArrayList<>();
        argv.add(binary.toString());
        options.forEach(o -> argv.addAll(o.render()));
        return argv;
    }

    /** The guest's command line as passed with -append (empty when none). */
    public String commandLine() {
        return commandLine;
    }

    /** The machine, accelerator and CPU options; the accelerator probe boots its guest with the same. */
    static List<QemuOption> machine(String type, boolean x86, Accelerator accelerator) {
        List<QemuOption> o = new ArrayList<>();
        o.add(Props.of("machine", type));
        if (accelerator.isKvm()) {
            o.add(Props.of("accel", "kvm"));
            // kraft's choice: x2apic for Unikraft's APIC code, no PMU (guests do not use it and some hosts
            // refuse to virtualize it).
            o.add(x86 ? Props.of("cpu", "host").with("+x2apic").with("-pmu") : Props.of("cpu", "host"));
        } else {
            o.add(Props.of("accel", "tcg"));
            // max rather than kraft's qemu64,+pdpe1gb: Unikraft needs RDRAND/RDSEED (LIBUKRANDOM) and arm64
            // RNDR, which only max offers under emulation.
            o.add(Props.of("cpu", "max"));
        }
        return o;
    }

    private static List<QemuOption> network(List<PortMapping> ports) {
        if (ports.isEmpty()) {
            return List.of(new Value("net", "none"));
        }
        Props netdev = Props.of("netdev", "user").with("id", "net0");
        for (PortMapping p : ports) {
            String host = p.hostIp() == null || p.hostIp().isEmpty() ? "127.0.0.1" : p.hostIp();
            String protocol = p.protocol() == null || p.protocol().isEmpty() ? "tcp" : p.protocol();
            netdev = netdev.with("hostfwd", protocol + ":" + host + ":" + p.hostPort() + "-:" + p.guestPort());
        }
        // romfile= keeps SeaBIOS from loading and running the NIC's iPXE boot ROM; the kernel boots via -kernel.
        return List.of(netdev, Props.of("device", "virtio-net-pci").with("netdev", "net0").with("romfile", ""));
    }

    private static List<QemuOption> volumes(List<VolumeMapping> volumes) {
        List<QemuOption> o = new ArrayList<>();
        for (int i = 0; i < volumes.size(); i++) {
            VolumeMapping v = volumes.get(i);
            String tag = tag(i);
            Props fsdev = Props.of("fsdev", "local").with("id", tag).with("path", v.host().toAbsolutePath().toString())
                    .with("security_model", "none");
            if (v.readOnly()) {
                fsdev = fsdev.with("readonly", "on");
            }
            o.add(fsdev);
            o.add(Props.of("device", "virtio-9p-pci").with("fsdev", tag).with("mount_tag", tag));
        }
        return o;
    }

    /**
     * Mounts in an order that works: a root first (the initrd, a volume at /, or an empty ramfs so that
     * mount points can be created), then volumes from the shallowest path down.
     */
    static List<String> fstab(MachineSpec spec) {
        List<VolumeMapping> volumes = spec.volumes();
        if (volumes.isEmpty() && spec.initrd() == null) {
            return List.of();
        }
        List<String> entries = new ArrayList<>();
        boolean volumeIsRoot = volumes.stream().anyMatch(v -> isRoot(v.guest()));
        if (!volumeIsRoot) {
            entries.add(spec.initrd() != null ? "initrd0:/:extract::ramfs=1:" : "none:/:ramfs:::");
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < volumes.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingInt(i -> depth(volumes.get(i).guest())));
        for (int i : order) {
            String guest = volumes.get(i).guest();
            entries.add(isRoot(guest) ? tag(i) + ":/:9pfs:::" : tag(i) + ":" + guest + ":9pfs:::mkmp");
        }
        return entries;
    }

    private static String tag(int index) {
        return "fs" + index;
    }

    private static boolean isRoot(String guestPath) {
        return guestPath.chars().allMatch(c -> c == '/');
    }

    private static int depth(String guestPath) {
        return (int) Path.of(guestPath).normalize().getNameCount();
    }

    private static long mebibytes(long bytes) {
        return Math.max(1, (bytes + (1 << 20) - 1) >> 20);
    }

    @Override
    public String toString() {
        return argv().stream().map(w -> w.isEmpty() || w.matches(".*[\\s\"'\\\\$`].*") ? "'" + w.replace("'", "'\\''")
                + "'" : w).collect(Collectors.joining(" "));
    }
}
