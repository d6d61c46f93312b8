package io.jkraft.origin;

import io.jkraft.common.FileTrees;
import io.jkraft.common.UserException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The {@code wget} that jkraft's makes get ({@code WGET=} on make's command line): a bash script in a private
 * folder (mode 0700) that hands its arguments to this JVM, which may be the resident helper serving the command,
 * so nothing depends on the JVM's own folder or environment. Two FIFOs per call, opened read-write on both
 * sides so that no open waits: the script writes its call's id to {@code requests} (its arguments, NUL-separated,
 * are in {@code req.ID}) and reads the answer from {@code reply.ID}: {@code wait} every
 * {@value #KEEPALIVE_SECONDS} s while jkraft works, {@code msg LINE} for its error, then {@code ok} or {@code fail}.
 * The script gives up after {@value #SCRIPT_PATIENCE_SECONDS} s without a line (a jkraft that died).
 *
 * <p>The checksums a library declares reach the script through make itself: {@code WGET} given on the command line
 * is a recursive variable, and the core expands it inside {@code $(call fetchas,<lib>,<url>,<file>)}, where
 * {@code $(1)} is the library, so its value can name {@code $(<LIB>_ORIGIN_SHA256)} through the core's own
 * {@code uc} function (upper case). A core without {@code uc} gives empty sums: jkraft then checks none, and the
 * core's own {@code .chksum} rule still does.
 */
public final class WgetStandIn implements AutoCloseable {
    static final int KEEPALIVE_SECONDS = 10;
    static final int SCRIPT_PATIENCE_SECONDS = 60;
    private static final String STOP = "stop";

    private final Path dir;
    private final FileChannel requests;
    private final Function<WgetRequest, FetchedOrigin> fetcher;
    private final Thread reader;
    private final Set<Thread> handlers = ConcurrentHashMap.newKeySet();
    private final Map<Path, UserException> failures = new ConcurrentHashMap<>();
    private final List<FetchedOrigin> fetched = new CopyOnWriteArrayList<>();

    private WgetStandIn(Path dir, FileChannel requests, Function<WgetRequest, FetchedOrigin> fetcher) {
        this.dir = dir;
        this.requests = requests;
        this.fetcher = fetcher;
        this.reader = Thread.ofPlatform().daemon().name("jkraft-wget-requests").unstarted(this::serve);
    }

    static WgetStandIn start(Function<WgetRequest, FetchedOrigin> fetcher) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("jkraft-wget-", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            Path fifo = dir.resolve("requests");
            mkfifo(fifo);
            Path script = dir.resolve("wget");
            Files.writeString(script, script(dir));
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
            FileChannel channel = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE);
            WgetStandIn standIn = new WgetStandIn(dir, channel, fetcher);
            standIn.reader.start();
            return standIn;
        } catch (IOException e) {
            if (dir != null) {
                delete(dir);
            }
            throw new UserException("cannot set up jkraft's wget for make: " + e.getMessage(),
                    "check that the temporary folder (java.io.tmpdir) is writable", e);
        }
    }

    /** The script make runs as wget. */
    Path script() {
        return dir.resolve("wget");
    }

    /** What to add to make's command line. */
    public List<String> makeArguments() {
        String sums = WgetRequest.ALGORITHMS.stream()
                .map(a -> " --jkraft-" + a + "='$($(JKRAFT_ORIGIN_LIB)_ORIGIN_" + a.toUpperCase(java.util.Locale.ROOT) + ")'")
                .reduce("", String::concat);
        return List.of(
                // The core expands $(WGET) inside $(call fetchas,LIB,...), where $(1) is the library; a rule that
                // expanded it in its recipe would have $@, $(BUILD_DIR)/LIB/FILE, instead.
                "JKRAFT_ORIGIN_LIB=$(call uc,$(or $(1),$(notdir $(patsubst %/,%,$(dir $@)))))",
                "WGET=" + quote(dir.resolve("wget").toString()) + sums);
    }

    /** The errors of calls that failed and that no later call for the same file made good (as fetchas2's second URL). */
    public Optional<UserException> failure() {
        List<UserException> all = new ArrayList<>(failures.values());
        if (all.size() <= 1) {
            return all.stream().findFirst();
        }
        return Optional.of(new UserException(String.join("\n", all.stream().map(UserException::getMessage).toList()),
                all.getFirst().hint()));
    }

    /** The archives placed so far, in the order they were. */
    public List<FetchedOrigin> fetched() {
        return List.copyOf(fetched);
    }

    private void serve() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(requests),
                StandardCharsets.UTF_8))) {
            for (String id; (id = in.readLine()) != null && !id.equals(STOP); ) {
                if (id.matches("[0-9]+\\.[0-9]+")) {
                    String call = id;
                    handlers.add(Thread.ofVirtual().name("jkraft-wget-" + id).start(() -> answer(call)));
                }
            }
        } catch (IOException e) {
            // closed: the stand-in is done
        }
    }

    private void answer(String id) {
        Path req = dir.resolve("req." + id);
        Path reply = dir.resolve("reply." + id);
        try (FileChannel out = FileChannel.open(reply, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            List<String> fields = Arrays.asList(new String(Files.readAllBytes(req), StandardCharsets.UTF_8).split("\0", -1));
            fields = fields.isEmpty() ? fields : fields.subList(0, fields.size() - 1); // after the last NUL
            WgetRequest request;
            try {
                request = WgetRequest.parse(Path.of(fields.getFirst()), fields.subList(1, fields.size()));
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                fail(out, null, new UserException("jkraft's wget: " + e.getMessage() + " (called as wget "
                        + String.join(" ", fields.subList(Math.min(1, fields.size()), fields.size())) + ")",
                        "a library's Makefile.uk calls $(WGET) with options jkraft does not take"));
                return;
            }
            FutureTask<FetchedOrigin> task = new FutureTask<>(() -> fetcher.apply(request));
            Thread worker = Thread.ofVirtual().name("jkraft-fetch-" + request.fileName()).start(task);
            try {
                while (true) {
                    try {
                        FetchedOrigin f = task.get(KEEPALIVE_SECONDS, TimeUnit.SECONDS);
                        fetched.add(f);
                        failures.remove(request.output());
                        write(out, "ok");
                        return;
                    } catch (TimeoutException e) {
                        write(out, "wait");
                    }
                }
            } catch (ExecutionException e) {
                fail(out, request.output(), e.getCause() instanceof UserException u ? u
                        : new UserException("jkraft's wget failed for " + request.url() + ": " + e.getCause(), null, e.getCause()));
            } catch (InterruptedException e) {
                worker.interrupt();
                try {
                    worker.join(5000); // its download deletes its temporary file as it ends
                } catch (InterruptedException again) {
                    Thread.currentThread().interrupt();
                }
                write(out, "msg jkraft stopped fetching " + request.url());
                write(out, "fail");
            }
        } catch (IOException e) {
            // the script has gone (its FIFO too): nobody to answer
        } finally {
            handlers.remove(Thread.currentThread());
        }
    }

    private void fail(FileChannel out, Path output, UserException error) throws IOException {
        failures.put(output != null ? output : dir, error);
        String text = error.getMessage() + (error.hint() != null ? "\nhint: " + error.hint() : "");
        for (String line : text.split("\n")) {
            write(out, "msg " + line);
        }
        write(out, "fail");
    }

    private static void write(FileChannel out, String line) throws IOException {
        ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            out.write(b);
        }
    }

    /** Stops answering, stops fetches still running (make has ended or was stopped) and removes the folder. */
    @Override
    public void close() {
        // Closed after Ctrl-C too, with this thread's interrupt pending: the bounded joins below must still wait for
        // the fetches to end (and delete their temporary files), so the interrupt is set aside until they have.
        boolean interrupted = Thread.interrupted();
        // A channel of its own: a FileChannel's read and write share one lock, which the waiting read holds.
        try (FileChannel stop = FileChannel.open(dir.resolve("requests"), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            write(stop, STOP);
            reader.join(5000);
        } catch (IOException e) {
            // the reader ends when the channel closes below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Thread> running = new ArrayList<>(handlers);
        running.forEach(Thread::interrupt);
        for (Thread t : running) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        try {
            requests.close();
        } catch (IOException e) {
            // nothing more to do with it
        }
        delete(dir);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static String script(Path dir) {
        return """
                #!/usr/bin/env bash
                # jkraft's stand-in for wget, written for one make run: the jkraft process running make fetches the
                # file (cache, origin_archives places, then the URL) and puts it where -O says.
                dir=%s
                id=$$.$RANDOM
                req="$dir/req.$id" reply="$dir/reply.$id"
                trap 'rm -f "$req" "$req.tmp" "$reply"' EXIT
                { printf '%%s\\0' "$PWD" "$@" > "$req.tmp" && mv -f "$req.tmp" "$req" && mkfifo -m 600 "$reply"; } || exit 1
                exec 3<>"$reply"
                printf '%%s\\n' "$id" 1<>"$dir/requests"
                while IFS= read -r -t %d line <&3; do
                  case $line in
                    wait) ;;
                    'msg '*) printf '%%s\\n' "${line#msg }" >&2 ;;
                    ok) exit 0 ;;
                    *) exit 1 ;;
                  esac
                done
                printf 'jkraft did not answer within %d s for: wget %%s\\n' "$*" >&2
                exit 1
                """.formatted(quote(dir.toString()), SCRIPT_PATIENCE_SECONDS, SCRIPT_PATIENCE_SECONDS);
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static void mkfifo(Path fifo) throws IOException {
        Process p = new ProcessBuilder("mkfifo", "-m", "600", fifo.toString()).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor() != 0) {
                throw new IOException("mkfifo " + fifo + " failed: " + out);
            }
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while making " + fifo);
        }
    }

    private static void delete(Path dir) {
        try {
            FileTrees.deleteRecursively(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
