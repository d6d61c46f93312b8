package io.jkraft.run;

import io.jkraft.build.BuildRequest;
import io.jkraft.build.BuildResult;
import io.jkraft.build.BuildService;
import io.jkraft.common.Architecture;
import io.jkraft.common.GdbEndpoint;
import io.jkraft.common.Platform;
import io.jkraft.common.UserException;
import io.jkraft.initrd.RootfsInitrd;
import io.jkraft.kraftfile.Kraftfile;
import io.jkraft.kraftfile.Target;
import io.jkraft.machine.HostPorts;
import io.jkraft.machine.VmmDrivers;
import io.jkraft.machine.api.MachineSpec;
import io.jkraft.machine.api.RunFlags;
import io.jkraft.pkg.PackageService;
import io.jkraft.pkg.ResolvedImage;
import io.jkraft.pkg.oci.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Turns what `jkraft run` was given (a project folder, which is built first when needed, a kernel
 * file, or an image of the local store) and its flags into the spec of one machine.
 */
public final class RunService {
    private static final long DEFAULT_MEMORY = 64L << 20;

    private final Supplier<BuildService> builds;
    private final Map<String, String> environment;
    private final Path workingDir;
    private final Path cacheDir;
    private final Supplier<PackageService> packages;
    private final VmmDrivers drivers;

    /**
     * The build and package services are made only when needed: making them reads the user's config file,
     * which a kernel file's run does not need and should not wait for.
     *
     * @param drivers the machine drivers: a platform without one is refused before anything is built
     */
    public RunService(Supplier<BuildService> builds, Supplier<PackageService> packages, VmmDrivers drivers,
            Map<String, String> environment, Path workingDir, Path cacheDir) {
        this.drivers = drivers;
        this.builds = builds;
        this.packages = packages;
        this.environment = Map.copyOf(environment);
        this.workingDir = workingDir;
        this.cacheDir = cacheDir;
    }

    public MachineSpec prepare(RunRequest r) {
        Path what = workingDir.resolve(r.what() == null ? Path.of("") : r.what()).toAbsolutePath().normalize();
        Platform plat = r.platform() == null ? Platform.QEMU : r.platform();
        drivers.forPlatform(plat);
        boolean project = Files.isDirectory(what);
        boolean kernelFile = !project && Files.isRegularFile(what);
        Reference image = project || kernelFile ? null : reference(r);
        if (!project && !kernelFile && image == null) {
            throw new UserException(r.what() + " is neither a project folder nor a kernel file, nor an image reference",
                    "pass a folder with a Kraftfile, the path of a kernel image, or an image that `jkraft pkg ls` lists");
        }
        if (image != null && !packages.get().has(image) && !r.what().toString().matches(".*[/:@].*")) {
            // A bare word is as likely a mistyped folder as an image name: say both.
            throw new UserException(r.what() + " is not a project folder, a kernel file, or an image in the local store ("
                    + image + ")", "check the path, or list images with `jkraft pkg ls`");
        }
        Flags flags = flags(r);
        if (image != null) {
            return fromImage(image, r, flags);
        }
        if (project) {
            return fromProject(what, r, flags);
        }
        Architecture arch = r.architecture() != null ? r.architecture()
                : KernelFormat.architecture(what).orElseThrow(() -> new UserException(
                        "cannot tell the architecture of kernel " + what, "pass -m x86_64 or -m arm64"));
        return spec(r, flags, what, arch, r.appArgs() == null ? List.of() : r.appArgs(), Map.of(), List.of(),
                initrd(r, flags, null, workingDir));
    }

    /** run's own flags, parsed and checked. */
    private record Flags(long memory, List<MachineSpec.PortMapping> ports, List<MachineSpec.VolumeMapping> volumes,
            Path initrd, Map<String, String> env) {}

    /** Checks every flag before a project is built, so that a typo in one does not cost a build first. */
    private Flags flags(RunRequest r) {
        if (r.cpus() < 1) {
            throw new UserException("--cpus " + r.cpus() + ": a machine needs at least one CPU", "e.g. --cpus 1");
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (String e : r.env()) {
            int eq = e.indexOf('=');
            String key = eq < 0 ? e : e.substring(0, eq);
            if (key.isBlank()) {
                throw new UserException("-e " + e + ": an environment variable needs a name", "write -e NAME=value");
            }
            putEnv(env, key, eq < 0 ? null : e.substring(eq + 1));
        }
        Path initrd = null;
        if (r.initrd() != null) {
            initrd = workingDir.resolve(r.initrd()).toAbsolutePath();
            if (!Files.isRegularFile(initrd)) {
                throw new UserException("--initrd " + r.initrd() + ": no such file", "pass an existing cpio archive");
            }
        }
        r.networks().forEach(RunFlags::network);
        return new Flags(r.memory() == null ? DEFAULT_MEMORY : RunFlags.memory(r.memory()),
                r.ports().stream().map(RunFlags::port).toList(),
                r.volumes().stream().map(v -> RunFlags.volume(v, workingDir)).toList(), initrd, env);
    }

    private MachineSpec fromProject(Path dir, RunRequest r, Flags flags) {
        BuildRequest select = request(dir, r, r.platform() == null ? Platform.QEMU : r.platform(), r.architecture());
        BuildService builds = this.builds.get();
        List<Target> targets = builds.targets(select);
        Target target = targets.size() == 1 ? targets.getFirst() : hostTarget(targets);
        // --rootfs reaches the build too: a kernel that embeds its initrd gets it inside, as kraft's build would.
        BuildRequest one = request(dir, r, target.platform(), target.architecture())
                .withRootfs(r.rootfs() == null ? null : workingDir.resolve(r.rootfs()));
        BuildResult built = builds.build(one).stream()
                .filter(b -> b.target().equals(target)).findFirst().orElseThrow();
        Kraftfile kf = builds.kraftfile(one);
        List<String> appArgs = r.appArgs() != null ? r.appArgs() : kf.cmd();
        List<MachineSpec.VolumeMapping> volumes = kf.volumes().stream().map(v -> RunFlags.volume(v, dir)).toList();
        Path initrd = built.embedsInitrd() && flags.initrd() == null ? null : initrd(r, flags, kf, dir);
        return spec(r, flags, built.kernel(), target.architecture(), appArgs, kf.env(), volumes, initrd);
    }

    /** What names no file or folder may name an image; null when it cannot be a reference at all. */
    private static Reference reference(RunRequest r) {
        if (r.what() == null) {
            return null;
        }
        try {
            return Reference.parse(r.what().toString());
        } catch (UserException notAReference) {
            return null;
        }
    }

    /** An image of the local store: unpacked once per manifest, run with its cmd and env unless overridden. */
    private MachineSpec fromImage(Reference ref, RunRequest r, Flags flags) {
        if (r.target() != null || r.kraftfile() != null) {
            throw new UserException("-t and -K select what to build, and " + ref + " is a packed image",
                    "choose its kernel with --plat and -m/--arch");
        }
        ResolvedImage image = packages.get().resolve(ref, Platform.QEMU, r.architecture());
        Map<String, String> imageEnv = new LinkedHashMap<>();
        for (String e : image.env()) {
            int eq = e.indexOf('=');
            if (eq > 0) {
                imageEnv.put(e.substring(0, eq), e.substring(eq + 1));
            }
        }
        Path initrd = flags.initrd() != null || r.rootfs() != null
                ? initrd(r, flags, null, workingDir) : image.initrd();
        return spec(r, flags, image.kernel(), image.architecture(), r.appArgs() != null ? r.appArgs() : image.cmd(),
                imageEnv, List.of(), initrd);
    }

    /** Several targets match: the one for this machine's own architecture runs fastest under emulation. */
    private static Target hostTarget(List<Target> targets) {
        Architecture host = Architecture.host().orElse(Architecture.X86_64);
        return targets.stream().filter(t -> t.architecture() == host).findFirst()
                .orElseThrow(() -> new UserException("several targets match: "
                        + String.join(", ", targets.stream().map(Target::platArch).toList()),
                        "choose one with -m/--arch or -t"));
    }

    private BuildRequest request(Path dir, RunRequest r, Platform plat, Architecture arch) {
        List<String> t = r.target() == null ? List.of() : List.of(r.target());
        return new BuildRequest(dir, r.kraftfile(), plat, arch, t, false,
                Runtime.getRuntime().availableProcessors(), false, false, false, Map.of(), null);
    }

    private MachineSpec spec(RunRequest r, Flags flags, Path kernel, Architecture arch, List<String> appArgs,
            Map<String, String> kraftfileEnv, List<MachineSpec.VolumeMapping> kraftfileVolumes, Path initrd) {
        Map<String, String> env = new LinkedHashMap<>();
        kraftfileEnv.forEach((k, v) -> putEnv(env, k, v));
        env.putAll(flags.env());
        return new MachineSpec(r.name(), kernel, Platform.QEMU, arch, flags.memory(), r.cpus(), r.kernelArgs(), appArgs, env,
                flags.ports(), Stream.concat(kraftfileVolumes.stream(), flags.volumes().stream()).toList(), initrd,
                r.acceleration(), r.gdb() == null ? null : GdbEndpoint.parse(r.gdb(), workingDir, HostPorts::freeLoopbackPort))
                .withNetworks(r.networks().stream().map(RunFlags::network).toList());
    }

    /** A variable without a value takes the host's, as in Docker; an unset one is left out. */
    private void putEnv(Map<String, String> env, String key, String value) {
        String v = value != null ? value : environment.get(key);
        if (v != null) {
            env.put(key, v);
        }
    }

    /** --initrd as is; a rootfs folder packed into a cpio; a cpio rootfs as is. */
    private Path initrd(RunRequest r, Flags flags, Kraftfile kf, Path base) {
        if (flags.initrd() != null) {
            return flags.initrd();
        }
        String rootfs = r.rootfs() != null ? r.rootfs() : kf == null ? null : kf.rootfs();
        if (rootfs == null || rootfs.isBlank()) {
            return null;
        }
        return RootfsInitrd.resolve((r.rootfs() != null ? workingDir : base).resolve(rootfs), cacheDir);
    }
}
