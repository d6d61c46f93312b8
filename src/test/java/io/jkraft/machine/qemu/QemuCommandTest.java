package io.jkraft.machine.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.common.Architecture;
import io.jkraft.common.GdbEndpoint;
import io.jkraft.common.Platform;
import io.jkraft.common.UserException;
import io.jkraft.machine.api.MachineSpec;
import io.jkraft.machine.api.MachineSpec.PortMapping;
import io.jkraft.machine.api.MachineSpec.VolumeMapping;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Argv rendering only; nothing is started. */
class QemuCommandTest {
    @TempDir
    Path tmp;


    private static final Path BIN = Path.of("/opt/qemu/bin/qemu-system-x86_64");
    private static final QemuStateDir STATE = new QemuStateDir(Path.of("/run/jk/m1"));
    private static final QemuCommand.Options TCG = new QemuCommand.Options(BIN, Accelerator.tcg("test"), true);

    private static MachineSpec spec(String arch, List<PortMapping> ports, List<VolumeMapping> volumes, Path initrd) {
        return new MachineSpec("m1", Path.of("/k/hello_qemu-" + arch), Platform.QEMU, Architecture.parse(arch), 64L << 20, 1,
                List.of(), List.of("a", "b c"), Map.of("K", "v w"), ports, volumes, initrd, io.jkraft.machine.api.Acceleration.AUTO, null);
    }

    private static MachineSpec plain(String arch) {
        return spec(arch, List.of(), List.of(), null);
    }

    @Test
    void x86WithoutDevicesUsesPcQbootAndEverythingKraftPasses() {
        List<String> argv = QemuCommand.create(plain("x86_64"), STATE, TCG).argv();

        assertThat(argv.getFirst()).isEqualTo(BIN.toString());
        assertThat(String.join(" ", argv)).isEqualTo(String.join(" ", BIN.toString(),
                "-nographic -nodefaults -no-user-config -no-reboot -S -name guest=m1,debug-threads=on -pidfile /run/jk/m1/machine.pid",
                "-machine pc -accel tcg -cpu max -bios qboot.rom -m 64M -smp cpus=1 -display none -vga none",
                "-parallel none -rtc base=utc -chardev file,id=console,path=/run/jk/m1/machine.log",
                "-serial chardev:console -chardev socket,id=qmp,path=qmp.sock,server=on,wait=off",
                "-mon chardev=qmp,mode=control -chardev socket,id=events,path=events.sock,server=on,wait=off",
                "-mon chardev=events,mode=control -device isa-debug-exit -device pvpanic -action panic=pause",
                "-d guest_errors -D /run/jk/m1/guest-errors.log -net none -kernel /k/hello_qemu-x86_64",
                "-append env.vars=[ \"K=v w\" ] -- a \"b c\""));
    }

    @Test
    void x86WithOneCpuAndNoDevicesIsAMicrovmWhenItsFirmwareIsThere() {
        var both = new QemuCommand.Options(BIN, Accelerator.tcg("test"), true, true);
        String line = String.join(" ", QemuCommand.create(plain("x86_64"), STATE, both).argv());
        assertThat(line).contains("-machine microvm -accel tcg -cpu max -m 64M", "-device isa-debug-exit")
                .doesNotContain("-bios", "-machine pc");

        MachineSpec twoCpus = new MachineSpec("m1", Path.of("/k/hello_qemu-x86_64"), Platform.QEMU, Architecture.X86_64, 64L << 20, 2,
                List.of(), List.of(), Map.of(), List.of(), List.of(), null, io.jkraft.machine.api.Acceleration.AUTO, null);
        assertThat(String.join(" ", QemuCommand.create(twoCpus, STATE, both).argv()))
                .contains("-machine pc -accel tcg -cpu max -bios qboot.rom");
        var port = List.of(new PortMapping(null, 8080, 80, "tcp"));
        assertThat(String.join(" ", QemuCommand.create(spec("x86_64", port, List.of(), null), STATE, both).argv()))
                .contains("-machine pc").doesNotContain("microvm", "-bios");
        assertThat(String.join(" ", QemuCommand.create(plain("arm64"), STATE, both).argv()))
                .contains("-machine virt").doesNotContain("microvm");
    }

    @Test
    void firmwareIsLookedForInTheShareFolderBesideQemusBin(@org.junit.jupiter.api.io.TempDir Path prefix)
            throws Exception {
        Path bin = java.nio.file.Files.createDirectories(prefix.resolve("bin")).resolve("qemu-system-x86_64");
        java.nio.file.Files.writeString(bin, "");
        java.nio.file.Files.writeString(java.nio.file.Files.createDirectories(prefix.resolve("share/qemu"))
                .resolve("bios-microvm.bin"), "");
        QemuCommand.Options found = QemuCommand.Options.detect(bin, Accelerator.tcg("test"));
        assertThat(found.microvm()).isTrue();
        assertThat(found.qboot()).isFalse();
    }

    @Test
    void aQemuWrapperAwayFromItsFirmwareStillGetsTheFastMachinesByTheFirmwaresPath() throws Exception {
        Path shared = Path.of("/usr/share/qemu");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(shared.resolve("bios-microvm.bin"))
                && Files.isRegularFile(shared.resolve("qboot.rom")), "no QEMU firmware in /usr/share/qemu here");
        Path wrapper = Files.createDirectories(tmp.resolve("wrapped/bin")).resolve("qemu-system-x86_64");
        Files.writeString(wrapper, "#!/bin/sh\nexec /usr/bin/qemu-system-x86_64 \"$@\"\n");

        QemuCommand.Options how = QemuCommand.Options.detect(wrapper, Accelerator.tcg("test"));

        assertThat(how.microvm()).isTrue();
        assertThat(how.firmwareDir()).isEqualTo(shared);
        assertThat(String.join(" ", QemuCommand.create(plain("x86_64"), STATE, how).argv()))
                .contains("-machine microvm -accel tcg -cpu max -bios /usr/share/qemu/bios-microvm.bin ");
        MachineSpec twoCpus = new MachineSpec("m1", Path.of("/k/hello_qemu-x86_64"), Platform.QEMU, Architecture.X86_64, 64L << 20, 2,
                List.of(), List.of(), Map.of(), List.of(), List.of(), null, io.jkraft.machine.api.Acceleration.AUTO, null);
        assertThat(String.join(" ", QemuCommand.create(twoCpus, STATE, how).argv()))
                .contains("-machine pc -accel tcg -cpu max -bios /usr/share/qemu/qboot.rom ");
    }

    @Test
    void aGdbPortBecomesALoopbackGdbstubASocketAUnixOneAndNoPortNone() {
        String withGdb = String.join(" ", QemuCommand.create(plain("arm64").withGdb(new GdbEndpoint.Tcp(1234)), STATE, TCG).argv());
        assertThat(withGdb).contains("-mon chardev=events,mode=control -gdb tcp:127.0.0.1:1234 ");
        String withSocket = String.join(" ",
                QemuCommand.create(plain("arm64").withGdb(new GdbEndpoint.UnixSocket(Path.of("/run/g.sock"))), STATE, TCG).argv());
        assertThat(withSocket).contains(" -gdb unix:/run/g.sock,server=on,wait=off ");
        assertThat(String.join(" ", QemuCommand.create(plain("arm64"), STATE, TCG).argv())).doesNotContain("-gdb");
    }

    @Test
    void appendIsOneArgvWord() {
        List<String> argv = QemuCommand.create(plain("x86_64"), STATE, TCG).argv();
        assertThat(argv.getLast()).isEqualTo("env.vars=[ \"K=v w\" ] -- a \"b c\"");
        assertThat(argv.get(argv.size() - 2)).isEqualTo("-append");
        // toString is for logs and --dry-run output: pasteable into a POSIX shell.
        assertThat(QemuCommand.create(plain("x86_64"), STATE, TCG).toString())
                .endsWith(" -append 'env.vars=[ \"K=v w\" ] -- a \"b c\"'");
    }

    @Test
    void kvmUsesHostCpuLikeKraft() {
        var kvm = new QemuCommand.Options(BIN, Accelerator.kvm(), true);
        String line = String.join(" ", QemuCommand.create(plain("x86_64"), STATE, kvm).argv());
        assertThat(line).contains("-machine pc -accel kvm -cpu host,+x2apic,-pmu");
    }

    @Test
    void withoutQbootSeaBiosIsLeftAlone() {
        var noQboot = new QemuCommand.Options(BIN, Accelerator.tcg("test"), false);
        assertThat(QemuCommand.create(plain("x86_64"), STATE, noQboot).argv()).doesNotContain("-bios");
    }

    @Test
    void arm64UsesVirtAndPutsTheProgramNameFirst() {
        QemuCommand command = QemuCommand.create(plain("arm64"), STATE, TCG);
        String line = String.join(" ", command.argv());

        assertThat(line).contains("-machine virt -accel tcg -cpu max -m 64M")
                .doesNotContain("-vga", "-bios", "isa-debug-exit");
        assertThat(command.commandLine()).isEqualTo("hello_qemu-arm64 env.vars=[ \"K=v w\" ] -- a \"b c\"");
    }

    @Test
    void portsBecomeUserNetForwardsOnOneVirtioNicAndDropQboot() {
        var ports = List.of(new PortMapping(null, 8080, 80, "tcp"), new PortMapping("0.0.0.0", 5353, 53, "udp"));
        List<String> argv = QemuCommand.create(spec("x86_64", ports, List.of(), null), STATE, TCG).argv();

        assertThat(argv).containsSubsequence("-netdev",
                        "user,id=net0,hostfwd=tcp:127.0.0.1:8080-:80,hostfwd=udp:0.0.0.0:5353-:53",
                        "-device", "virtio-net-pci,netdev=net0,romfile=")
                .doesNotContain("-bios", "none:/:ramfs:::");
        assertThat(String.join(" ", argv)).doesNotContain("-net none");
    }

    private static final io.jkraft.machine.api.NetworkInterface NIC = new io.jkraft.machine.api.NetworkInterface("jk0",
            "jk0", "jk0123456789ab0", "02:01:23:45:67:00", io.jkraft.common.Ipv4Cidr.parse("172.30.9.5/24", -1, "x"),
            "172.30.9.1", false);

    @Test
    void aNetworkBecomesATapNicAndNetdevIpBeforeTheOtherLibraryParametersAndPortsGoToForwarders() {
        var ports = List.of(new PortMapping("127.0.0.1", 8080, 80, "tcp"), new PortMapping("::1", 5353, 53, "udp"));
        MachineSpec spec = new MachineSpec("m1", Path.of("/k/hello_qemu-x86_64"), Platform.QEMU, Architecture.X86_64,
                64L << 20, 1, List.of("loglevel=3"), List.of("a"), Map.of(), ports, List.of(), null,
                io.jkraft.machine.api.Acceleration.AUTO, null, List.of(NIC));
        QemuCommand command = QemuCommand.create(spec, STATE, TCG);

        assertThat(command.argv()).containsSubsequence("-netdev",
                        "tap,id=net0,ifname=jk0123456789ab0,script=no,downscript=no", "-device",
                        "virtio-net-pci,netdev=net0,mac=02:01:23:45:67:00,romfile=")
                .doesNotContain("-bios");
        assertThat(String.join(" ", command.argv())).doesNotContain("user,id=").doesNotContain("hostfwd");
        assertThat(command.commandLine()).isEqualTo("netdev.ip=172.30.9.5/24:172.30.9.1:::: loglevel=3 -- a");
        assertThat(command.taps()).containsExactly("jk0123456789ab0");
        assertThat(command.forwarders()).containsExactly(
                new QemuCommand.Forwarder("TCP-LISTEN:8080,bind=127.0.0.1,fork,reuseaddr", "TCP:172.30.9.5:80"),
                new QemuCommand.Forwarder("UDP6-LISTEN:5353,bind=[::1],fork,reuseaddr", "UDP:172.30.9.5:53"));

        MachineSpec arm = new MachineSpec("m1", Path.of("/k/hello_qemu-arm64"), Platform.QEMU, Architecture.ARM64,
                64L << 20, 1, List.of(), List.of(), Map.of(), List.of(), List.of(), null,
                io.jkraft.machine.api.Acceleration.AUTO, null, List.of(NIC));
        QemuCommand onArm = QemuCommand.create(arm, STATE, TCG);
        assertThat(onArm.argv()).contains("virt", "virtio-net-pci,netdev=net0,mac=02:01:23:45:67:00,romfile=");
        assertThat(onArm.commandLine()).isEqualTo("hello_qemu-arm64 netdev.ip=172.30.9.5/24:172.30.9.1:::: --");
        assertThat(onArm.forwarders()).isEmpty();
    }

    @Test
    void aKernelThatReadsNetdevIpBehindUserNetworkingGetsSlirpsAddressBeforeTheUsersParameters() {
        var ports = List.of(new PortMapping(null, 8080, 80, "tcp"));
        MachineSpec spec = new MachineSpec("m1", Path.of("/k/hello_qemu-x86_64"), Platform.QEMU, Architecture.X86_64,
                64L << 20, 1, List.of("netdev.ip=10.0.2.99/24:10.0.2.2"), List.of("a"), Map.of(), ports, List.of(), null,
                io.jkraft.machine.api.Acceleration.AUTO, null);

        assertThat(QemuCommand.create(spec, STATE, TCG, true).commandLine())
                .as("the user's own netdev.ip comes last, and wins")
                .isEqualTo("netdev.ip=10.0.2.15/24:10.0.2.2:10.0.2.3 netdev.ip=10.0.2.99/24:10.0.2.2 -- a");
        assertThat(QemuCommand.create(spec, STATE, TCG, false).commandLine()).isEqualTo("netdev.ip=10.0.2.99/24:10.0.2.2 -- a");

        MachineSpec noPorts = new MachineSpec("m1", Path.of("/k/hello_qemu-x86_64"), Platform.QEMU, Architecture.X86_64,
                64L << 20, 1, List.of(), List.of("a"), Map.of(), List.of(), List.of(), null,
                io.jkraft.machine.api.Acceleration.AUTO, null);
        assertThat(QemuCommand.create(noPorts, STATE, TCG, true).commandLine()).as("no NIC, no address").isEqualTo("a");
        MachineSpec onNetwork = new MachineSpec("m1", Path.of("/k/hello_qemu-x86_64"), Platform.QEMU, Architecture.X86_64,
                64L << 20, 1, List.of(), List.of(), Map.of(), ports, List.of(), null,
                io.jkraft.machine.api.Acceleration.AUTO, null, List.of(NIC));
        assertThat(QemuCommand.create(onNetwork, STATE, TCG, true).commandLine()).as("a tap NIC has its own address")
                .isEqualTo("netdev.ip=172.30.9.5/24:172.30.9.1:::: --");
    }

    @Test
    void volumesBecome9pSharesWithFstabRootFirstAndShallowestFirst() {
        var volumes = List.of(new VolumeMapping(Path.of("/h/deep"), "/data/sub", false),
                new VolumeMapping(Path.of("/h/data"), "/data", true));
        QemuCommand command = QemuCommand.create(spec("x86_64", List.of(), volumes, null), STATE, TCG);

        assertThat(command.argv()).containsSubsequence(
                "-fsdev", "local,id=fs0,path=/h/deep,security_model=none",
                "-device", "virtio-9p-pci,fsdev=fs0,mount_tag=fs0",
                "-fsdev", "local,id=fs1,path=/h/data,security_model=none,readonly=on",
                "-device", "virtio-9p-pci,fsdev=fs1,mount_tag=fs1").doesNotContain("-bios");
        assertThat(command.commandLine()).contains("vfs.fstab=[ \"none:/:ramfs:::\" \"fs1:/data:9pfs:::mkmp\""
                + " \"fs0:/data/sub:9pfs:::mkmp\" ]");
    }

    @Test
    void initrdIsTheRootUnlessAVolumeIs() {
        Path initrd = Path.of("/k/initrd.cpio");
        QemuCommand withInitrd = QemuCommand.create(spec("x86_64", List.of(), List.of(), initrd), STATE, TCG);
        assertThat(withInitrd.argv()).containsSubsequence("-initrd", "/k/initrd.cpio");
        assertThat(withInitrd.commandLine()).contains("vfs.fstab=[ \"initrd0:/:extract::ramfs=1:\" ]");

        var rootVolume = List.of(new VolumeMapping(Path.of("/h/root"), "/", false));
        QemuCommand volumeRoot = QemuCommand.create(spec("x86_64", List.of(), rootVolume, initrd), STATE, TCG);
        assertThat(volumeRoot.commandLine()).contains("vfs.fstab=[ \"fs0:/:9pfs:::\" ]");
    }

    @Test
    void commasInPathsAreDoubledSoTheyCannotAddOptions() {
        var volumes = List.of(new VolumeMapping(Path.of("/h/a,readonly=off"), "/d", false));
        var state = new QemuStateDir(Path.of("/run/jk/x,y"));
        List<String> argv = QemuCommand.create(spec("x86_64", List.of(), volumes, null), state, TCG).argv();

        assertThat(argv).contains("local,id=fs0,path=/h/a,,readonly=off,security_model=none",
                "file,id=console,path=/run/jk/x,,y/machine.log", "/run/jk/x,y/machine.pid");
    }

    @Test
    void memoryIsRoundedUpToWholeMebibytes() {
        var spec = new MachineSpec("m", Path.of("/k"), Platform.QEMU, Architecture.X86_64, (8L << 20) + 1, 2,
                List.of(), List.of(), Map.of(), List.of(), List.of(), null, io.jkraft.machine.api.Acceleration.TCG, null);
        assertThat(String.join(" ", QemuCommand.create(spec, STATE, TCG).argv())).contains("-m 9M -smp cpus=2")
                .doesNotContain("-append");
    }

    @Test
    void refusesOtherPlatformsAndTakesStateFoldersOfAnyLength() {
        var fc = new MachineSpec("m", Path.of("/k"), Platform.FC, Architecture.X86_64, 1 << 20, 1,
                List.of(), List.of(), Map.of(), List.of(), List.of(), null, io.jkraft.machine.api.Acceleration.TCG, null);
        assertThatThrownBy(() -> QemuCommand.create(fc, STATE, TCG)).isInstanceOf(UserException.class)
                .hasMessageContaining("fc");
        // 160 bytes and a comma: QEMU binds its sockets by bare names in its working folder, and commas are doubled.
        Path folder = Path.of("/" + String.join("/", Collections.nCopies(40, "abc")), "a,b");
        List<String> argv = QemuCommand.create(plain("x86_64"), new QemuStateDir(folder), TCG).argv();
        assertThat(argv).contains("socket,id=qmp,path=qmp.sock,server=on,wait=off", folder + "/machine.pid",
                "file,id=console,path=" + folder.toString().replace(",", ",,") + "/machine.log");
    }

    @Test
    void optionsRenderThemselves() {
        assertThat(new QemuOption.Flag("S").render()).containsExactly("-S");
        assertThat(new QemuOption.Value("append", "a,b c").render()).containsExactly("-append", "a,b c");
        assertThat(QemuOption.Props.of("cpu", "host").with("+x2apic").with("-pmu").render())
                .containsExactly("-cpu", "host,+x2apic,-pmu");
    }
}
