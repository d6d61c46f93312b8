package io.jkraft.source;

import io.jkraft.common.UserException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.eclipse.jgit.api.errors.GitAPIException;

/**
 * Runs a JGit call that talks to a remote on a virtual thread of its own and waits for it. JGit bounds each
 * read with an alarm that interrupts the reading thread; a platform thread blocked in a socket read does not
 * notice an interrupt (a git:// fetch from a server that accepts and says nothing would wait for ever), a
 * virtual thread's socket is closed by it. An interrupt of the caller (Ctrl-C in the resident helper)
 * reaches the call the same way.
 */
final class GitRemoteCall {
    private GitRemoteCall() {}

    interface Call<T> {
        T run() throws GitAPIException;
    }

    /** @param timeout the call's own bound (JGit's {@code setTimeout}), for the message when it is reached */
    static <T> T run(GitOrigin o, Duration timeout, Call<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread worker = Thread.ofVirtual().name("jkraft-git-fetch").start(() -> {
            try {
                result.complete(call.run());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get();
        } catch (InterruptedException e) {
            worker.interrupt();
            // Not for long: the interrupt closed its socket. It must let go of the repository first.
            boolean ended = false;
            while (!ended) {
                try {
                    worker.join();
                    ended = true;
                } catch (InterruptedException again) {
                    // still waiting for it
                }
            }
            Thread.currentThread().interrupt();
            throw new UserException("interrupted while fetching " + o.describe(), null, e);
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case GitAPIException g -> throw GitErrors.unreachable(o, g, timeout);
                case RuntimeException r -> throw r;
                case Error err -> throw err;
                default -> throw new IllegalStateException(e.getCause());
            }
        }
    }
}
