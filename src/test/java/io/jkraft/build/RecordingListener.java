package io.jkraft.build;

import io.jkraft.kraftfile.Target;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Collects what a build reports, for assertions. */
final class RecordingListener implements BuildListener {
    final List<String> infos = new CopyOnWriteArrayList<>();
    final List<String> warnings = new CopyOnWriteArrayList<>();
    final List<String> makeLines = new CopyOnWriteArrayList<>();
    final AtomicInteger progressEvents = new AtomicInteger();

    @Override
    public void info(String message) {
        infos.add(message);
    }

    @Override
    public void warning(String message) {
        warnings.add(message);
    }

    @Override
    public void progress(Target target, int objects, int expected, String library) {
        progressEvents.incrementAndGet();
    }

    @Override
    public void makeLine(Target target, String line) {
        makeLines.add(line);
    }
}
