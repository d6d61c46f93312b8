package io.jkraft.machine.store;

import static io.jkraft.machine.store.Specs.spec;
import static io.jkraft.machine.store.Specs.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import io.jkraft.common.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several threads and several jkraft processes at once, and processes killed in the middle of a write. */
class ConcurrencyTest {
    private static final int CONTESTED_PORT = 40000;

    @TempDir
    Path tmp;

    @Test
    void threadsAndProcessesCreateMachinesAtOnce() throws Exception {
        Path state = tmp.resolve("state");
        Path go = tmp.resolve("go");
        int perChild = 40;
        int threads = 20;
        int perThread = 5;
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                children.add(ChildJvm.start(tmp, "race", state.toString(), Integer.toString(perChild),
                        Integer.toString(20000 + i * 1000), Integer.toString(CONTESTED_PORT), go.toString()));
            }
            for (ChildJvm child : children) {
                child.awaitLine("ready", 60);
            }
            CountDownLatch start = new CountDownLatch(1);
            List<Callable<List<String>>> jobs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int base = 30000 + t * 100;
                // each thread its own instance, as separate commands would have
                MachineStore store = MachineStore.open(state);
                jobs.add(() -> {
                    start.await();
                    List<String> out = new ArrayList<>();
                    try {
                        store.create(spec(null, tcp(CONTESTED_PORT)));
                        out.add("won");
                    } catch (UserException e) {
                        out.add("lost " + e.getMessage());
                    }
                    for (int i = 0; i < perThread; i++) {
                        out.add("created " + store.create(spec(null, tcp(base + i))).name());
                    }
                    return out;
                });
            }
            List<String> lines = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
                List<Future<List<String>>> results = new ArrayList<>();
                jobs.forEach(j -> results.add(pool.submit(j)));
                Files.createFile(go);
                start.countDown();
                for (Future<List<String>> f : results) {
                    lines.addAll(f.get(120, TimeUnit.SECONDS));
                }
            }
            for (ChildJvm child : children) {
                List<String> out = child.finish(120);
                assertThat(child.process.exitValue()).as(String.join("\n", out)).isZero();
                lines.addAll(out);
            }

            assertThat(lines).noneMatch(l -> l.contains("SQLITE_BUSY") || l.contains("locked"));
            assertThat(lines.stream().filter(l -> l.equals("won"))).hasSize(1);
            assertThat(lines.stream().filter(l -> l.startsWith("lost ")))
                    .hasSize(threads + children.size() - 1)
                    .allMatch(l -> l.contains("already publishes 127.0.0.1:" + CONTESTED_PORT));
            List<String> created = lines.stream().filter(l -> l.startsWith("created ")).toList();
            assertThat(created).hasSize(3 * perChild + threads * perThread);

            List<MachineRecord> all = MachineStore.open(state).list();
            assertThat(all).hasSize(created.size() + 1);
            Set<String> names = new HashSet<>();
            all.forEach(r -> names.add(r.name()));
            assertThat(names).hasSize(all.size());
        } finally {
            for (ChildJvm child : children) {
                child.close();
            }
        }
    }

    @Test
    void processesKilledWhileWritingLeaveOnlyCompleteRecords() throws Exception {
        Path state = tmp.resolve("state");
        int before = 0;
        int[] delays = {0, 40, 120, 250, 400};
        for (int i = 0; i < delays.length; i++) {
            ChildJvm child = ChildJvm.start(tmp, "loop", state.toString(), Integer.toString(10000 + i * 10000));
            try {
                child.awaitLine("ready", 60);
                child.awaitLine("created ", 60);
                Thread.sleep(delays[i]);
                assertThat(child.process.isAlive()).as("killed in the middle of its loop").isTrue();
            } finally {
                child.process.destroyForcibly().waitFor(); // SIGKILL on Linux: no shutdown hooks, no cleanup
            }
            int count = assertOnlyCompleteRecords(state);
            assertThat(count).isGreaterThan(before);
            before = count;
        }
        // and the file still takes writes at once
        MachineStore store = MachineStore.open(state);
        assertThat(store.create(spec("after", tcp(8080))).name()).isEqualTo("after");
    }

    /** Every machine has exactly its spec's port claims, and nothing else is in the file. */
    private static int assertOnlyCompleteRecords(Path state) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + state.resolve("machines.db"));
                Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("PRAGMA integrity_check")) {
                assertThat(r.getString(1)).isEqualTo("ok");
            }
            try (ResultSet r = s.executeQuery("PRAGMA foreign_key_check")) {
                assertThat(r.next()).as("port claims without a machine").isFalse();
            }
        }
        List<MachineRecord> all = MachineStore.open(state).list();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + state.resolve("machines.db"));
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT machine_id, count(*) FROM ports GROUP BY machine_id")) {
            int withPorts = 0;
            while (r.next()) {
                assertThat(r.getInt(2)).isEqualTo(2);
                withPorts++;
            }
            assertThat(withPorts).isEqualTo(all.size());
        }
        for (MachineRecord m : all) {
            assertThat(m.spec().ports()).hasSize(2);
            assertThat(m.spec().name()).isEqualTo(m.name());
        }
        return all.size();
    }
}
