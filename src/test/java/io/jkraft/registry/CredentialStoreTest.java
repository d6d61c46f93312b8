package io.jkraft.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.common.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Docker credential helpers, run as Docker runs them; the test's timeout only turns a hang into a failure. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CredentialStoreTest {
    @TempDir
    Path dir;

    private CredentialStore store(String helperScript) throws Exception {
        Path helpers = Files.createDirectories(dir.resolve("bin"));
        Path helper = Files.writeString(helpers.resolve("docker-credential-test"), "#!/bin/sh\n" + helperScript);
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwx------"));
        Path docker = Files.writeString(dir.resolve("config.json"), "{\"credsStore\": \"test\"}");
        return new CredentialStore(dir.resolve("auth.json"), docker, helpers, Duration.ofSeconds(1));
    }

    @Test
    void aHelperThatAnswersGivesItsCredentials() throws Exception {
        CredentialStore store = store("read host; echo '{\"Username\": \"u\", \"Secret\": \"s\"}'\n");
        assertThat(store.find("registry.example")).hasValueSatisfying(c -> {
            assertThat(c.username()).isEqualTo("u");
            assertThat(c.password()).isEqualTo("s");
        });
    }

    @Test
    void aHelperThatNeverAnswersIsEndedAndNamed() throws Exception {
        // e.g. one waiting for a keyring that nobody unlocks; it leaves a child holding its output open too
        Path pid = dir.resolve("child.pid");
        CredentialStore store = store("sleep 600 & echo $! >" + pid + "\nwait\n");
        assertThatThrownBy(() -> store.find("registry.example"))
                .isInstanceOf(UserException.class)
                .hasMessageContaining("the credential helper docker-credential-test")
                .hasMessageContaining("did not answer within 1 s for registry.example");
        long child = Long.parseLong(Files.readString(pid).strip());
        // Killed; perhaps not yet reaped by whoever adopted it.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!ended(child)) {
            assertThat(System.nanoTime()).as("the helper's child %d to be ended with it", child).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static boolean ended(long pid) throws Exception {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        try {
            String s = Files.readString(stat);
            char state = s.charAt(s.lastIndexOf(')') + 2);
            return state == 'Z' || state == 'X';
        } catch (java.nio.file.NoSuchFileException e) {
            return true;
        }
    }
}
