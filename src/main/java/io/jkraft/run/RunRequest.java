package io.jkraft.run;

import io.jkraft.common.Architecture;
import io.jkraft.common.Platform;
import java.nio.file.Path;
import java.util.List;

/**
 * What `jkraft run` was asked, as parsed from the command line.
 *
 * @param what        a project folder, a kernel file, or null for the current folder
 * @param kraftfile   -K, or null
 * @param platform    --plat, or null (qemu)
 * @param architecture -m/--arch, or null
 * @param target      -t, or null
 * @param name        -n/--name, or null for a generated one
 * @param memory      -M as written, or null for the default
 * @param cpus        --cpus
 * @param kernelArgs  -a/--kernel-arg
 * @param env         -e/--env as written (K=V, or K to take the host's value)
 * @param ports       -p as written
 * @param volumes     -v as written
 * @param initrd      --initrd, or null
 * @param rootfs      --rootfs, or null (the Kraftfile's rootfs applies)
 * @param appArgs     arguments after --, or null to use the Kraftfile's cmd
 * @param acceleration --accel (auto, kvm, tcg; -W/--disable-acceleration is tcg)
 * @param gdb         --gdb as written: null for none, "" for a free loopback port, a port, or unix:PATH
 * @param networks    --network as written (NAME[:IP]), one NIC each
 */
public record RunRequest(Path what, Path kraftfile, Platform platform, Architecture architecture, String target,
        String name, String memory, int cpus, List<String> kernelArgs, List<String> env, List<String> ports,
        List<String> volumes, Path initrd, String rootfs, List<String> appArgs, io.jkraft.machine.api.Acceleration acceleration,
        String gdb, List<String> networks) {

    public RunRequest {
        networks = networks == null ? List.of() : List.copyOf(networks);
    }

    /** A request without networks. */
    public RunRequest(Path what, Path kraftfile, Platform platform, Architecture architecture, String target,
            String name, String memory, int cpus, List<String> kernelArgs, List<String> env, List<String> ports,
            List<String> volumes, Path initrd, String rootfs, List<String> appArgs,
            io.jkraft.machine.api.Acceleration acceleration, String gdb) {
        this(what, kraftfile, platform, architecture, target, name, memory, cpus, kernelArgs, env, ports, volumes, initrd,
                rootfs, appArgs, acceleration, gdb, List.of());
    }

    /** This request with {@code --gdb} as {@code value}. */
    public RunRequest withGdb(String value) {
        return new RunRequest(what, kraftfile, platform, architecture, target, name, memory, cpus, kernelArgs, env, ports,
                volumes, initrd, rootfs, appArgs, acceleration, value, networks);
    }

    /** This request with {@code --network} as given. */
    public RunRequest withNetworks(List<String> values) {
        return new RunRequest(what, kraftfile, platform, architecture, target, name, memory, cpus, kernelArgs, env, ports,
                volumes, initrd, rootfs, appArgs, acceleration, gdb, values);
    }
}
