package io.jkraft.source;

import java.nio.file.Path;

/** Runs one fetch in its own JVM, so tests can race and kill real processes. */
public final class FetchMain {
    private FetchMain() {}

    /** Arguments: cache root, git URL, ref. Prints the revision. */
    public static void main(String[] args) {
        FetchedSource s = new SourceCache(Path.of(args[0]), m -> {}).fetch(new GitOrigin(args[1], args[2]), false);
        System.out.println(s.revision());
    }
}
