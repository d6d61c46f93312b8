package io.jkraft.build;

import static org.assertj.core.api.Assertions.assertThat;

import io.jkraft.common.Invocation;
import io.jkraft.common.UserException;
import io.jkraft.origin.OriginArchives;
import io.jkraft.origin.OriginOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real make on a makefile of the test's own. */
class MakeRunnerTest {

    /** Origin archives with nowhere to look but a library's own URL (these makefiles fetch nothing). */
    static OriginArchives noOrigins(Path dir) {
        return new OriginArchives(dir.resolve("cache"), List.of(), Invocation.ofThisProcess(), m -> { }, OriginOptions.DEFAULT);
    }

    @Test
    void linesGoToTheListenerAndTheLog(@TempDir Path dir) throws Exception {
        Path core = Files.createDirectories(dir.resolve("core"));
        Files.writeString(core.resolve("Makefile"), "all:\n\t@echo one\n\t@echo two\n\t@exit 3\n");
        List<String> lines = new CopyOnWriteArrayList<>();
        int status = new MakeRunner(Invocation.ofThisProcess(), MakeRunnerTest.noOrigins(dir)).run(invocation(dir, core), dir.resolve("log/make.log"), lines::add);
        assertThat(status).isEqualTo(2); // make's own status when a recipe fails
        assertThat(lines).contains("one", "two");
        assertThat(Files.readString(dir.resolve("log/make.log"))).contains("$ make").contains("one\ntwo\n");
    }

    @Test
    void anInterruptEndsMakeAndWhatItStarted(@TempDir Path dir) throws Exception {
        Path core = Files.createDirectories(dir.resolve("core"));
        Path marker = dir.resolve("started");
        Files.writeString(core.resolve("Makefile"), "all:\n\t@echo $$$$ > " + marker + "; exec sleep 60\n");
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread build = Thread.ofPlatform().start(() -> {
            try {
                new MakeRunner(Invocation.ofThisProcess(), MakeRunnerTest.noOrigins(dir)).run(invocation(dir, core), dir.resolve("make.log"), line -> { });
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        long deadline = System.nanoTime() + 30_000_000_000L;
        while ((!Files.exists(marker) || Files.readString(marker).isBlank())) {
            assertThat(System.nanoTime()).as("make's recipe to start").isLessThan(deadline);
            Thread.sleep(20);
        }
        long sleeper = Long.parseLong(Files.readString(marker).trim());
        build.interrupt();
        build.join(30_000);
        assertThat(build.isAlive()).as("the build thread ended").isFalse();
        assertThat(thrown.get()).isInstanceOf(UserException.class).hasMessageContaining("interrupted");
        long end = System.nanoTime() + 10_000_000_000L;
        while (ProcessHandle.of(sleeper).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertThat(ProcessHandle.of(sleeper).map(ProcessHandle::isAlive).orElse(false))
                .as("the recipe's process %d is gone", sleeper).isFalse();
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang if it were not so
    void aProcessTheRecipeLeavesRunningDoesNotKeepTheBuildWaiting(@TempDir Path dir) throws Exception {
        // The output is read to its end after make's exit; a daemon that inherited the pipe holds it open,
        // and the JDK closes the reading side once make has ended.
        Path core = Files.createDirectories(dir.resolve("core"));
        Path pid = dir.resolve("daemon.pid");
        Files.writeString(core.resolve("Makefile"), "all:\n\t@sleep 600 & echo $$! > " + pid + "; echo started\n");
        List<String> lines = new CopyOnWriteArrayList<>();
        try {
            assertThat(new MakeRunner(Invocation.ofThisProcess(), MakeRunnerTest.noOrigins(dir)).run(invocation(dir, core), dir.resolve("make.log"), lines::add)).isZero();
            assertThat(lines).contains("started");
        } finally {
            if (Files.exists(pid)) {
                ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    private static MakeInvocation invocation(Path dir, Path core) {
        return new MakeInvocation(core, dir.resolve("app"), List.of(), dir.resolve("out"), dir.resolve(".config"),
                null, 1, List.of("all"), Map.of());
    }
}
