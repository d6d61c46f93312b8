package io.jkraft.build;

import io.jkraft.common.Invocation;
import io.jkraft.common.UserException;
import io.jkraft.origin.FetchedOrigin;
import io.jkraft.origin.OriginArchives;
import io.jkraft.origin.WgetStandIn;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs make, appending everything it prints to a log file and handing each line to a listener. Every make gets
 * jkraft's wget ({@link WgetStandIn}), so that the origin archives of libraries come through {@link OriginArchives}.
 */
final class MakeRunner {
    private final Invocation invocation;
    private final OriginArchives origins;

    /**
     * @param invocation make runs in its folder, with its environment, found on its PATH
     * @param origins    fetches what the core's fetch rules ask wget for
     */
    MakeRunner(Invocation invocation, OriginArchives origins) {
        this.invocation = invocation;
        this.origins = origins;
    }

    int run(MakeInvocation invocation, Path log, Consumer<String> lines) {
        return run(invocation, log, lines, f -> { });
    }

    /**
     * Runs the invocation to the end; returns make's exit status. An interrupt of the calling thread ends
     * make and what it started: in the resident helper, Ctrl-C reaches the command that way, not as a
     * signal to make's process group.
     */
    int run(MakeInvocation invocation, Path log, Consumer<String> lines, Consumer<FetchedOrigin> fetched) {
        try (WgetStandIn wget = origins.standIn(invocation.app())) {
            // Added here, not to the invocation: its command line is part of the build's inputs, the stand-in's path is not.
            List<String> command = new ArrayList<>(invocation.command());
            command.addAll(wget.makeArguments());
            int status = run(command, log, lines);
            wget.fetched().forEach(fetched);
            if (status != 0) {
                // The core's rule hides wget's failure (`|| rm`) and fails later, in its checksum or unpacking step.
                wget.failure().ifPresent(f -> {
                    throw new BuildFailedException(f.getMessage(), f.hint());
                });
            }
            return status;
        }
    }

    private int run(List<String> command, Path log, Consumer<String> lines) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        try {
            Files.createDirectories(log.getParent());
            try (Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                out.write("$ " + String.join(" ", command) + "\n");
                Process process = start(pb);
                IOException[] failed = new IOException[1];
                Thread reader = Thread.ofPlatform().daemon().name("jkraft-make-output").start(() -> {
                    try (InputStream in = process.getInputStream()) {
                        copyLines(process, in, line -> {
                            out.write(line);
                            out.write('\n');
                            lines.accept(line);
                        });
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

    interface LineSink {
        void accept(String line) throws IOException;
    }

    /**
     * Hands make's output on line by line (ended by {@code \n}, {@code \r\n} or {@code \r}, as
     * {@link java.io.BufferedReader#readLine} ends them) until make has ended and all it wrote is read.
     *
     * <p>It reads only what is there and never waits in a read. A process that a recipe leaves running (a
     * daemon that inherited the output) keeps the pipe open after make's end; a read waiting in it would
     * wait for that process, and it would also keep the JDK from closing the pipe at make's exit (it does so
     * to end such reads, but needs the stream that the waiting read holds), so the build would never end.
     */
    static void copyLines(Process process, InputStream in, LineSink sink) throws IOException {
        byte[] buffer = new byte[16384];
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        boolean afterCr = false;
        long pauseMillis = 1;
        while (true) {
            boolean ended = !process.isAlive(); // before looking: what make wrote before its end is there by then
            int available = in.available();
            if (available <= 0) {
                if (ended) {
                    break;
                }
                sleep(pauseMillis);
                pauseMillis = Math.min(pauseMillis * 2, 20);
                continue;
            }
            pauseMillis = 1;
            int n = in.read(buffer, 0, Math.min(available, buffer.length));
            if (n < 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                byte b = buffer[i];
                if (b == '\n' && afterCr) {
                    afterCr = false;
                } else if (b == '\n' || b == '\r') {
                    sink.accept(line.toString(StandardCharsets.UTF_8));
                    line.reset();
                    afterCr = b == '\r';
                } else {
                    line.write(b);
                    afterCr = false;
                }
            }
        }
        if (line.size() > 0) {
            sink.accept(line.toString(StandardCharsets.UTF_8));
        }
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading make's output");
        }
    }

    private Process start(ProcessBuilder pb) {
        try {
            return invocation.start(pb);
        } catch (IOException e) {
            throw new UserException("cannot start make: " + e.getMessage(),
                    "install GNU make (Debian: apt-get install make gcc flex bison)", e);
        }
    }
}
