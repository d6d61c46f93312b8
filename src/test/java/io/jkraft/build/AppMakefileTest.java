package io.jkraft.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppMakefileTest {
    @TempDir
    Path app;

    @Test
    void supplyMakesAnEmptyOneForTheLastLeaseAndRemovesItAfter() throws Exception {
        AppMakefile makefile = new AppMakefile(app);
        Path file = app.resolve("Makefile.uk");

        AppMakefile.Lease first = makefile.supply();
        AppMakefile.Lease second = makefile.supply();
        assertThat(file).isEmptyFile();
        first.close();
        assertThat(file).as("another target's make still runs").exists();
        second.close();
        assertThat(file).doesNotExist();
    }

    @Test
    void supplyLeavesTheUsersOwnAlone() throws Exception {
        Path file = Files.writeString(app.resolve("Makefile.uk"), "# mine\n");
        try (AppMakefile.Lease lease = new AppMakefile(app).supply()) {
            assertThat(file).hasContent("# mine");
        }
        assertThat(file).hasContent("# mine");
    }

    @Test
    void aMakefileTheUserWritesMeanwhileStays() throws Exception {
        Path file = app.resolve("Makefile.uk");
        try (AppMakefile.Lease lease = new AppMakefile(app).supply()) {
            Files.delete(file);
            Files.writeString(file, "");
        }
        assertThat(file).as("an empty file, but another one than jkraft made").exists();

        Files.delete(file);
        try (AppMakefile.Lease lease = new AppMakefile(app).supply()) {
            Files.writeString(file, "$(eval $(call addlib,apphello))\n");
        }
        assertThat(file).as("jkraft's file, written to by the user").hasContent("$(eval $(call addlib,apphello))");
    }
}
