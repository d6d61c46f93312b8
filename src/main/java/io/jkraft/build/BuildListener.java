package io.jkraft.build;

import io.jkraft.kraftfile.Target;
import io.jkraft.origin.OriginListener;

/**
 * What a build reports while it runs. Called from several threads when targets build in parallel,
 * so implementations must be thread-safe.
 */
public interface BuildListener extends OriginListener {

    /** A step began or ended (fetching, configuring, up to date, where an origin archive came from). */
    @Override
    void info(String message);

    /** Something the user should know but that does not stop the build. */
    void warning(String message);

    /**
     * Make compiled another object.
     *
     * @param expected the object count of the previous build of this target, or 0 when unknown
     */
    void progress(Target target, int objects, int expected, String library);

    /** One raw line of make output, for verbose logging. */
    default void makeLine(Target target, String line) {}

    BuildListener SILENT = new BuildListener() {
        @Override
        public void info(String message) {}

        @Override
        public void warning(String message) {}

        @Override
        public void progress(Target target, int objects, int expected, String library) {}
    };
}
