package io.jkraft.machine.qemu;

import io.jkraft.common.Invocation;
import java.nio.file.Path;
import java.util.Map;

/** Starts a paused fixture machine detached in its own JVM, prints QEMU's pid and waits to be killed. */
public final class QemuStartMain {
    private QemuStartMain() {}

    /** Arguments: kernel (x86_64), state folder, cache folder. */
    public static void main(String[] args) throws Exception {
        QemuDriver launcher = new QemuDriver(new AcceleratorProbe(Path.of(args[2])),
                new Invocation(Path.of("").toAbsolutePath(), Map.of("PATH", System.getenv("PATH"))));
        QemuDriver.Plan plan = launcher.plan(FixtureKernels.spec("orphan", Path.of(args[0]), "x86_64"),
                Path.of(args[1]), true);
        QemuProcess process = launcher.start(plan);
        System.out.println(process.pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
