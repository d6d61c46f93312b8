package io.jkraft.registry;

import io.jkraft.common.UserException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Blob transfers run a few at a time, as skopeo and docker do: a registry answers each request after a
 * round trip and some work of its own (storing, digesting), which several connections overlap.
 */
final class ParallelTransfers {
    /** Connections to one registry at once; registries and proxies expect a handful per client. */
    static final int TRANSFERS = 4;

    private ParallelTransfers() {}

    /** Runs {@code action} for every item, up to {@value #TRANSFERS} at once; rethrows the first failure as thrown. */
    static <T> void forEach(List<T> items, Consumer<T> action) {
        if (items.size() <= 1) {
            items.forEach(action);
            return;
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.min(TRANSFERS, items.size()),
                Thread.ofVirtual().name("transfer-", 0).factory())) {
            List<Future<?>> running = new ArrayList<>();
            for (T item : items) {
                running.add(pool.submit(() -> action.accept(item)));
            }
            RuntimeException first = null;
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (first == null) {
                        first = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                        running.forEach(other -> other.cancel(true)); // no new uploads once one failed
                    }
                } catch (CancellationException ignored) {
                    // cancelled after the first failure
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    running.forEach(other -> other.cancel(true));
                    throw new UserException("interrupted");
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }
}
