package io.jkraft.cli;

import io.jkraft.build.BuildListener;
import io.jkraft.build.BuildService;
import io.jkraft.common.Invocation;
import io.jkraft.common.UserException;
import io.jkraft.config.JkraftConfig;
import io.jkraft.config.JkraftPaths;
import io.jkraft.index.IndexService;
import io.jkraft.machine.MachineLauncher;
import io.jkraft.machine.MachineService;
import io.jkraft.machine.VmmDrivers;
import io.jkraft.machine.store.MachineStore;
import io.jkraft.net.IpRoute2Links;
import io.jkraft.net.NetworkHost;
import io.jkraft.net.NetworkService;
import io.jkraft.pkg.PackageService;
import io.jkraft.registry.RegistryService;
import io.jkraft.registry.TransferListener;
import io.jkraft.run.RunService;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * What every command gets: the terminal and the invocation (working folder and environment). Services are
 * made from these here, the one place the CLI reads them, so tests, and the resident helper, can run commands
 * with a folder and environment of their own.
 */
public final class CliContext {
    private final Terminal terminal;
    private final Invocation invocation;
    private final Interrupts interrupts;
    private final Function<Path, MachineStore> stores;
    private volatile CompletableFuture<MachineStore> store;
    private VmmDrivers drivers;

    public CliContext(Terminal terminal, Invocation invocation) {
        this(terminal, invocation, Interrupts.JVM, MachineStore::open);
    }

    /**
     * @param stores opens the machine store of a state folder; the resident helper keeps one open for all
     *               the commands it runs
     */
    public CliContext(Terminal terminal, Invocation invocation, Interrupts interrupts,
            Function<Path, MachineStore> stores) {
        this.terminal = terminal;
        this.invocation = invocation;
        this.interrupts = interrupts;
        this.stores = stores;
    }

    Interrupts interrupts() {
        return interrupts;
    }

    public Terminal terminal() {
        return terminal;
    }

    public Invocation invocation() {
        return invocation;
    }

    Map<String, String> environment() {
        return invocation.environment();
    }

    JkraftPaths paths() {
        return JkraftPaths.fromEnvironment(invocation.environment());
    }

    /**
     * Starts opening the machine store on another thread. Opening it (loading SQLite's native library,
     * checking the schema) takes about as long as picocli takes to parse the command line, so a machine
     * command calls this first and finds the store ready when it needs it.
     */
    public synchronized void openStoreEarly() {
        if (store == null) {
            Path stateDir = paths().stateDir();
            store = CompletableFuture.supplyAsync(() -> stores.apply(stateDir),
                    // A platform thread: the first virtual thread would first set up its scheduler.
                    runnable -> Thread.ofPlatform().daemon().name("jkraft-store-open").start(runnable));
        }
    }

    MachineService machineService() {
        openStoreEarly();
        MachineStore opened;
        try {
            // get(), not join(): an interrupt (Ctrl-C of a command the resident helper runs) ends the wait.
            opened = store.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new UserException("cannot open the machine store: " + e.getCause(), null, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted while opening the machine store");
        }
        return new MachineService(opened, drivers(), new NetworkHost(new IpRoute2Links(invocation),
                NetworkService.storeTag(opened.runtimeRoot())));
    }

    /** The networks of the machine store. */
    NetworkService networkService() {
        MachineStore opened = stores.apply(paths().stateDir());
        return new NetworkService(opened.networks(), new IpRoute2Links(invocation));
    }

    /** Starts new machines; their VMM may start before the store is open (see {@link MachineLauncher}). */
    MachineLauncher machineLauncher() {
        return new MachineLauncher(drivers(), MachineStore.runtimeRoot(paths().stateDir()), this::machineService);
    }

    /** The machine drivers, made once per command. */
    synchronized VmmDrivers drivers() {
        if (drivers == null) {
            drivers = VmmDrivers.standard(paths().cacheDir(), invocation);
        }
        return drivers;
    }

    RunService runService(BuildListener listener) {
        return new RunService(() -> buildService(listener), () -> packageService(listener), drivers(), environment(),
                invocation.workingDir(), paths().cacheDir());
    }

    PackageService packageService(BuildListener listener) {
        JkraftPaths paths = paths();
        return new PackageService(buildService(listener), paths.dataDir().resolve("oci"), paths.cacheDir(),
                invocation.workingDir());
    }

    IndexService indexService(java.util.function.Consumer<String> progress) {
        return new IndexService(paths(), invocation, progress);
    }

    RegistryService registryService(TransferListener listener) {
        JkraftPaths paths = paths();
        return new RegistryService(paths, JkraftConfig.load(paths.configFile(), environment()), invocation, listener);
    }

    BuildService buildService(BuildListener listener) {
        JkraftPaths paths = paths();
        return new BuildService(JkraftConfig.load(paths.configFile(), environment()), paths, invocation, listener);
    }
}
