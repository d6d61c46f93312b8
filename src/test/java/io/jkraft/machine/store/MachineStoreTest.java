package io.jkraft.machine.store;

import static io.jkraft.machine.store.Specs.spec;
import static io.jkraft.machine.store.Specs.tcp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.common.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineStoreTest {
    @TempDir
    Path tmp;

    MachineStore store;

    @BeforeEach
    void setUp() {
        store = MachineStore.open(tmp.resolve("state"));
    }

    @Test
    void createdMachineIsStoredWithItsWholeSpec() {
        MachineRecord r = store.create(spec("web", tcp(8080)));

        assertThat(r.id()).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(r.name()).isEqualTo("web");
        assertThat(r.status()).isEqualTo(MachineStatus.CREATED);
        assertThat(r.pid()).isNull();
        assertThat(r.exitCode()).isNull();
        assertThat(r.createdAt()).isNotNull();
        assertThat(r.startedAt()).isNull();
        assertThat(r.stateDir()).isEqualTo(tmp.resolve("state/runtime").resolve(r.id()));
        assertThat(r.stateDir()).doesNotExist();
        assertThat(r.owner()).isEqualTo(ProcessIdentity.current());
        assertThat(tmp.resolve("state/machines.db")).isRegularFile();

        MachineRecord again = MachineStore.open(tmp.resolve("state")).get("web");
        assertThat(again).isEqualTo(r);
        assertThat(again.spec()).isEqualTo(spec("web", tcp(8080)));
    }

    @Test
    void machinesAreFoundByNameIdOrUniqueIdPrefix() {
        MachineRecord a = store.create(spec("alpha"));
        MachineRecord b = store.create(spec("beta"));

        assertThat(store.get("alpha")).isEqualTo(a);
        assertThat(store.get(b.id())).isEqualTo(b);
        assertThat(store.get(b.id().substring(0, 8).toUpperCase())).isEqualTo(b);
        assertThat(store.find("nope")).isEmpty();
        assertThat(store.find("")).isEmpty();
        assertThatThrownBy(() -> store.get("nope")).isInstanceOf(UserException.class).hasMessageContaining("nope");
        assertThat(store.list()).containsExactly(a, b);
    }

    @Test
    void ambiguousIdPrefixIsRefused() {
        for (int i = 0; i < 40; i++) {
            store.create(spec(null));
        }
        // 40 random ids over 16 first digits: some digit starts two of them.
        List<String> firsts = store.list().stream().map(r -> r.id().substring(0, 1)).toList();
        String shared = firsts.stream().filter(d -> firsts.indexOf(d) != firsts.lastIndexOf(d)).findFirst().orElseThrow();
        assertThatThrownBy(() -> store.find(shared)).isInstanceOf(UserException.class)
                .hasMessageContaining("several machine ids");
    }

    @Test
    void namesAreUnique() {
        MachineRecord first = store.create(spec("web"));
        assertThatThrownBy(() -> store.create(spec("web")))
                .isInstanceOf(UserException.class)
                .hasMessageContaining("a machine named web already exists")
                .hasMessageContaining(first.id().substring(0, 12));
        assertThat(store.list()).hasSize(1);
    }

    @Test
    void invalidNamesAreRefused() {
        for (String bad : List.of("-x", "a b", "a,process=evil", "a/b", "x".repeat(64))) {
            assertThatThrownBy(() -> store.create(spec(bad))).as(bad).isInstanceOf(UserException.class)
                    .hasMessageContaining("not a valid machine name");
        }
    }

    @Test
    void generatedNamesAreUniqueOver1000Draws() {
        Pattern adjectiveNoun = Pattern.compile("[a-z]+_[a-z]+(_\\d+)?");
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String suggested = store.generateName();
            assertThat(suggested).matches(adjectiveNoun);
            MachineRecord r = store.create(spec(i % 2 == 0 ? null : "  "));
            assertThat(r.name()).matches(adjectiveNoun);
            assertThat(r.spec().name()).isEqualTo(r.name());
            names.add(r.name());
        }
        assertThat(names).hasSize(1000);
    }

    @Test
    void aCrowdedNameSpaceFallsBackToCounting() {
        NameGenerator names = new NameGenerator(new java.util.Random(7));
        // Every random draw is taken, and so are the first counted ones.
        assertThat(names.next(n -> !n.endsWith("_5"))).matches("[a-z]+_[a-z]+_5");
    }

    @Test
    void lifecycleFromCreateToRemove() throws Exception {
        MachineRecord r = store.create(spec("web", tcp(8080)));
        MachineRecord prepared = store.prepareStart(r.id());
        assertThat(prepared.stateDir()).isDirectory();

        MachineRecord running = store.markRunning(r.id(), 4242);
        assertThat(running.status()).isEqualTo(MachineStatus.RUNNING);
        assertThat(running.pid()).isEqualTo(4242L);
        assertThat(running.startedAt()).isNotNull();
        assertThat(store.markPaused(r.id()).status()).isEqualTo(MachineStatus.PAUSED);
        assertThatThrownBy(() -> store.markPaused(r.id())).isInstanceOf(UserException.class).hasMessageContaining("paused");
        assertThat(store.markResumed(r.id()).status()).isEqualTo(MachineStatus.RUNNING);
        assertThatThrownBy(() -> store.delete(r.id())).isInstanceOf(UserException.class)
                .hasMessageContaining("it is running");
        assertThatThrownBy(() -> store.prepareStart(r.id())).isInstanceOf(UserException.class);

        MachineRecord exited = store.markExited(r.id(), 3);
        assertThat(exited.status()).isEqualTo(MachineStatus.EXITED);
        assertThat(exited.exitCode()).isEqualTo(3);
        assertThat(exited.pid()).isNull();
        assertThat(exited.finishedAt()).isNotNull();
        assertThat(store.markErrored(r.id(), "late")).isEqualTo(exited);

        // start again after stop: the old exit code file goes, the record forgets the old exit
        Files.writeString(exited.exitCodeFile(), "3\n");
        store.prepareStart(r.id());
        assertThat(exited.exitCodeFile()).doesNotExist();
        MachineRecord again = store.markRunning(r.id(), 4343);
        assertThat(again.exitCode()).isNull();
        assertThat(again.finishedAt()).isNull();
        assertThat(store.markErrored(r.id(), "boom").error()).isEqualTo("boom");

        Files.writeString(r.stateDir().resolve("console.log"), "hello");
        store.delete(r.id());
        assertThat(store.find("web")).isEmpty();
        assertThat(r.stateDir()).doesNotExist();
        store.delete(r.id()); // an interrupted rm can be repeated
        assertThat(store.create(spec("web", tcp(8080))).name()).isEqualTo("web");
    }

    @Test
    void releaseLeavesCreatedMachinesToNobody() {
        MachineRecord r = store.create(spec("idle"));
        store.release(r.id());
        assertThat(store.get("idle").owner()).isNull();
        assertThat(store.get("idle").status()).isEqualTo(MachineStatus.CREATED);
    }

    @Test
    void aNewerSchemaIsRefused() throws Exception {
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("state/machines.db"));
                var s = c.createStatement()) {
            s.execute("PRAGMA user_version = 99");
        }
        assertThatThrownBy(() -> MachineStore.open(tmp.resolve("state"))).isInstanceOf(UserException.class)
                .hasMessageContaining("newer jkraft");
    }

    @Test
    void theFileUsesWriteAheadLogging() throws Exception {
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("state/machines.db"));
                var s = c.createStatement(); var r = s.executeQuery("PRAGMA journal_mode")) {
            assertThat(r.getString(1)).isEqualTo("wal");
        }
    }
}
