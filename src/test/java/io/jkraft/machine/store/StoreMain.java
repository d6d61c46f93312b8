package io.jkraft.machine.store;

import io.jkraft.common.UserException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What a child JVM does to the store in concurrency and crash tests. */
public final class StoreMain {
    private StoreMain() {}

    /**
     * Modes:
     * <ul>
     *   <li>{@code race <state> <count> <portBase> <contestedPort> <goFile>}: prints "ready", waits for goFile,
     *       tries to claim the contested port once ("won"/"lost &lt;message&gt;"), then creates count
     *       machines with generated names, each on its own port ("created &lt;name&gt;"), and releases them.</li>
     *   <li>{@code loop <state> <portBase>}: prints "ready", then creates machines with two ports each until
     *       killed.</li>
     *   <li>{@code orphan <state>}: creates one machine and exits without releasing it ("created &lt;id&gt;").</li>
     * </ul>
     */
    public static void main(String[] args) throws Exception {
        MachineStore store = MachineStore.open(Path.of(args[1]));
        switch (args[0]) {
            case "race" -> race(store, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    Path.of(args[5]));
            case "loop" -> loop(store, Integer.parseInt(args[2]));
            case "orphan" -> System.out.println("created " + store.create(Specs.spec(null)).id());
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.flush();
    }

    private static void race(MachineStore store, int count, int portBase, int contested, Path go) throws Exception {
        System.out.println("ready");
        System.out.flush();
        while (!Files.exists(go)) {
            Thread.sleep(2);
        }
        try {
            store.release(store.create(Specs.spec(null, Specs.tcp(contested))).id());
            System.out.println("won");
        } catch (UserException e) {
            System.out.println("lost " + e.getMessage());
        }
        for (int i = 0; i < count; i++) {
            MachineRecord r = store.create(Specs.spec(null, Specs.tcp(portBase + i)));
            store.release(r.id());
            System.out.println("created " + r.name());
        }
    }

    private static void loop(MachineStore store, int portBase) {
        System.out.println("ready");
        System.out.flush();
        for (int i = 0; ; i += 2) {
            MachineRecord r = store.create(Specs.spec(null, Specs.tcp(portBase + i),
                    Specs.port("0.0.0.0", portBase + i + 1, 53, "udp")));
            System.out.println("created " + r.name());
        }
    }
}
