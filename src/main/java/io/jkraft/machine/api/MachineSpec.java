package io.jkraft.machine.api;

import io.jkraft.common.Architecture;
import io.jkraft.common.GdbEndpoint;
import io.jkraft.common.Platform;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to boot one unikernel, decided before the VMM starts. Immutable; stored with the
 * machine so that {@code start} after {@code stop} boots the same thing.
 *
 * @param name         the machine's unique name
 * @param kernel       the kernel image (absolute)
 * @param platform     the platform it was built for (only qemu runs)
 * @param architecture the guest's architecture
 * @param memoryBytes  guest memory
 * @param cpus         virtual CPUs
 * @param kernelArgs   library parameters, placed before {@code --} on the command line
 * @param appArgs      the application's arguments, placed after {@code --}
 * @param env          environment variables for the application (passed as {@code env.vars})
 * @param ports        published ports
 * @param volumes      host folders shared over 9pfs
 * @param initrd       an initrd (newc cpio) to attach, or null
 * @param acceleration KVM when it works, KVM only, or emulation (--accel, -W/--disable-acceleration)
 * @param gdb          where QEMU's gdbstub listens (a loopback port or a unix socket), or null when it has none
 * @param networks     NICs on jkraft networks (bridges), as asked for until the store records the machine
 */
public record MachineSpec(
        String name,
        Path kernel,
        Platform platform,
        Architecture architecture,
        long memoryBytes,
        int cpus,
        List<String> kernelArgs,
        List<String> appArgs,
        Map<String, String> env,
        List<PortMapping> ports,
        List<VolumeMapping> volumes,
        Path initrd,
        Acceleration acceleration,
        GdbEndpoint gdb,
        List<NetworkInterface> networks) {

    public MachineSpec {
        networks = networks == null ? List.of() : List.copyOf(networks);
        acceleration = acceleration == null ? Acceleration.AUTO : acceleration;
        kernelArgs = List.copyOf(kernelArgs);
        appArgs = List.copyOf(appArgs);
        env = Map.copyOf(env);
        ports = List.copyOf(ports);
        volumes = List.copyOf(volumes);
    }

    /** A spec without network attachments. */
    public MachineSpec(String name, Path kernel, Platform platform, Architecture architecture, long memoryBytes,
            int cpus, List<String> kernelArgs, List<String> appArgs, Map<String, String> env, List<PortMapping> ports,
            List<VolumeMapping> volumes, Path initrd, Acceleration acceleration, GdbEndpoint gdb) {
        this(name, kernel, platform, architecture, memoryBytes, cpus, kernelArgs, appArgs, env, ports, volumes, initrd,
                acceleration, gdb, List.of());
    }

    /** This spec under another name. */
    public MachineSpec withName(String newName) {
        return new MachineSpec(newName, kernel, platform, architecture, memoryBytes, cpus, kernelArgs, appArgs, env,
                ports, volumes, initrd, acceleration, gdb, networks);
    }

    /** This spec with a gdbstub at {@code endpoint} (null: none). */
    public MachineSpec withGdb(GdbEndpoint endpoint) {
        return new MachineSpec(name, kernel, platform, architecture, memoryBytes, cpus, kernelArgs, appArgs, env, ports,
                volumes, initrd, acceleration, endpoint, networks);
    }

    /** This spec with these network attachments (resolved by the store). */
    public MachineSpec withNetworks(List<NetworkInterface> attached) {
        return new MachineSpec(name, kernel, platform, architecture, memoryBytes, cpus, kernelArgs, appArgs, env, ports,
                volumes, initrd, acceleration, gdb, attached);
    }

    /**
     * A published port: {@code [hostIp:]hostPort:guestPort[/tcp|/udp]}.
     *
     * @param hostIp   the host address to bind, 127.0.0.1 unless the user named one
     */
    public record PortMapping(String hostIp, int hostPort, int guestPort, String protocol) {}

    /** A host folder mounted in the guest over 9pfs. */
    public record VolumeMapping(Path host, String guest, boolean readOnly) {}
}
