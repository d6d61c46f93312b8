package io.jkraft.build;

import io.jkraft.common.UserException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/** Runs make, appending everything it prints to a log file and handing each line to a listener. */
final class MakeRunner {

    /**
     * Runs the invocation to the end; returns make's exit status. An interrupt of the calling thread ends
     * make and what it started: in the resident helper, Ctrl-C reaches the command that way, not as a
     * signal to make's process group.
     */
    int run(MakeInvocation invocation, Path log, Consumer<String> lines) {
        ProcessBuilder pb = new ProcessBuilder(invocation.command()).redirectErrorStream(true);
        try {
            Files.createDirectories(log.getParent());
            try (Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                out.write("$ " + String.join(" ", invocation.command()) + "\n");
                Process process = start(pb);
                IOException[] failed = new IOException[1];
                Thread reader = Thread.ofPlatform().daemon().name("jkraft-make-output").start(() -> {
                    try (BufferedReader in = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line = in.readLine(); line != null; line = in.readLine()) {
                            out.write(line);
                            out.write('\n');
                            lines.accept(line);
                        }
                    } catch (IOException e) {
                        failed[0] = e;
                    }
                });
                try {
                    int status = process.waitFor();
                    reader.join();
                    if (failed[0] != null) {
                        throw failed[0];
                    }
                    return status;
                } catch (InterruptedException e) {
                    process.descendants().forEach(ProcessHandle::destroy);
                    process.destroy();
                    reader.join(5000);
                    throw e;
                }
            }
        } catch (IOException e) {
            throw new UserException("cannot run make: " + e.getMessage(), null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted while running make");
        }
    }

    private static Process start(ProcessBuilder pb) {
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UserException("cannot start make: " + e.getMessage(),
                    "install GNU make (Debian: apt-get install make gcc flex bison)", e);
        }
    }
}
