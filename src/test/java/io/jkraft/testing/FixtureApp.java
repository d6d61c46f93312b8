package io.jkraft.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a hello-world application for the fixture core: {@code hello.c}, {@code Makefile.uk}
 * (library {@value #LIBRARY}) and a Kraftfile. The app prints {@value #GREETING}, then one line
 * {@code argv[i]: <arg>} per argument after argv[0], then (when CONFIG_LIBFIXTURELIB is set)
 * {@code fixturelib says: <greeting>}, and returns 0.
 */
public final class FixtureApp {
    public static final String GREETING = "Hello from fixture app";
    public static final String LIBRARY = "apphello";
    public static final String SOURCE = "hello.c";

    public static final String HELLO_C = """
            #include <stdio.h>
            #ifdef CONFIG_LIBFIXTURELIB
            #include <fixturelib.h>
            #endif

            int main(int argc, char *argv[])
            {
            	int i;

            	printf("Hello from fixture app\\n");
            	for (i = 1; i < argc; i++)
            		printf("argv[%d]: %s\\n", i, argv[i]);
            #ifdef CONFIG_LIBFIXTURELIB
            	printf("fixturelib says: %s\\n", fixturelib_greeting());
            #endif
            	return 0;
            }
            """;

    public static final String MAKEFILE_UK = """
            $(eval $(call addlib,apphello))
            APPHELLO_SRCS-y += $(APPHELLO_BASE)/hello.c
            """;

    /** Line 6 of the broken source uses an undeclared identifier. */
    public static final int BROKEN_LINE = 6;

    private static final String BROKEN_C = """
            #include <stdio.h>

            int main(int argc, char *argv[])
            {
            	printf("Hello from fixture app\\n");
            	return undeclared_identifier;
            }
            """;

    private FixtureApp() {
    }

    /**
     * Writes the app into {@code dir} (created if needed) and returns {@code dir}. The image name
     * defaults to the folder's name. A null kraftfile writes no Kraftfile.
     */
    public static Path create(Path dir, String kraftfile) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(SOURCE), HELLO_C);
        Files.writeString(dir.resolve("Makefile.uk"), MAKEFILE_UK);
        if (kraftfile != null) {
            Files.writeString(dir.resolve("Kraftfile"), kraftfile);
        }
        return dir;
    }

    /**
     * Replaces hello.c with a source gcc rejects at line {@value #BROKEN_LINE} and returns its path;
     * the error then reads {@code <path>:6:<col>: error: 'undeclared_identifier' undeclared ...}.
     */
    public static Path breakSource(Path dir) throws IOException {
        Path source = dir.resolve(SOURCE);
        Files.writeString(source, BROKEN_C);
        return source;
    }
}
