package io.jkraft.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreesTest {
    @TempDir
    Path dir;

    @Test
    void aTreeIsDeletedWithEverythingInIt() throws Exception {
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree.resolve("a/b/c"));
        Files.writeString(tree.resolve("a/b/c/file"), "x");
        Files.writeString(tree.resolve("top"), "y");

        FileTrees.deleteRecursively(tree);

        assertThat(tree).doesNotExist();
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void linksPointingOutOfTheTreeAreDeletedNotFollowed() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Path precious = Files.writeString(outside.resolve("precious"), "keep me");
        Path tree = Files.createDirectories(dir.resolve("tree/inner"));
        Files.createSymbolicLink(tree.resolve("to-folder"), outside);
        Files.createSymbolicLink(tree.resolve("to-file"), precious);
        Files.createSymbolicLink(tree.resolve("to-root"), Path.of("/"));
        Files.createSymbolicLink(tree.resolve("dangling"), dir.resolve("nothing-here"));

        FileTrees.deleteRecursively(dir.resolve("tree"));

        assertThat(dir.resolve("tree")).doesNotExist();
        assertThat(precious).hasContent("keep me");
        assertThat(outside).isDirectory();
    }

    @Test
    void aLinkGivenAsTheTreeIsDeletedAloneAndItsTargetKept() throws Exception {
        Path target = Files.createDirectories(dir.resolve("target"));
        Files.writeString(target.resolve("file"), "keep me");
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);

        FileTrees.deleteRecursively(link);

        assertThat(Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(target.resolve("file")).hasContent("keep me");
    }

    @Test
    void aPathThatDoesNotExistIsAlreadyDeleted() throws Exception {
        FileTrees.deleteRecursively(dir.resolve("never-made"));
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void readOnlyFilesAndFoldersAreDeleted() throws Exception {
        Path tree = dir.resolve("tree");
        Path locked = tree.resolve("locked");
        Files.createDirectories(locked.resolve("deeper"));
        Path file = Files.writeString(locked.resolve("file"), "x");
        Files.writeString(locked.resolve("deeper/file"), "x");
        Path unlistable = Files.createDirectories(tree.resolve("unlistable"));
        Files.writeString(unlistable.resolve("file"), "x");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
        Files.setPosixFilePermissions(locked.resolve("deeper"), PosixFilePermissions.fromString("r-xr-xr-x"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
        Files.setPosixFilePermissions(unlistable, PosixFilePermissions.fromString("---------"));

        FileTrees.deleteRecursively(tree);

        assertThat(tree).doesNotExist();
    }

    @Test
    void severalDeletingTheSameTreeAtOnceAllSucceed() throws Exception {
        Path tree = dir.resolve("tree");
        for (int i = 0; i < 40; i++) {
            Path folder = Files.createDirectories(tree.resolve("d" + i + "/e"));
            for (int j = 0; j < 25; j++) {
                Files.writeString(folder.resolve("f" + j), "x");
            }
        }
        int deleters = 4;
        CyclicBarrier start = new CyclicBarrier(deleters);
        List<Future<?>> running = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(deleters)) {
            for (int i = 0; i < deleters; i++) {
                running.add(pool.submit(() -> {
                    start.await();
                    FileTrees.deleteRecursively(tree);
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get(); // each deleter's own exception, if any, fails the test here
            }
        }
        assertThat(tree).doesNotExist();
    }
}
