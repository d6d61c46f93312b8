package io.jkraft.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Runs the fixture core's make directly, as {@code make -C core A= L= O= C= goal...}, for tests of
 * the fixture itself and for preparing build folders in other tests.
 *
 * @param core     the core folder (e.g. {@link FixtureRepos#coreDir()} or a clone)
 * @param app      the app folder (A)
 * @param libs     the external library folders (L, joined with ':')
 * @param buildDir the build folder (O)
 * @param config   the .config file (C)
 */
public record FixtureMake(Path core, Path app, List<Path> libs, Path buildDir, Path config) {

    private static final Pattern PROGRESS = Pattern.compile("^  ([A-Z]+) +(.*)$");

    public FixtureMake {
        libs = List.copyOf(libs);
    }

    /** The usual layout: O = app/.unikraft/build, C = app/.config, no libraries. */
    public static FixtureMake forApp(Path core, Path app) {
        return new FixtureMake(core, app, List.of(), app.resolve(".unikraft/build"), app.resolve(".config"));
    }

    public FixtureMake withLibs(Path... libraries) {
        return new FixtureMake(core, app, List.of(libraries), buildDir, config);
    }

    /**
     * @param exitCode make's exit code
     * @param output   stdout and stderr together
     */
    public record Result(int exitCode, String output) {
        public List<String> lines() {
            return output.lines().toList();
        }

        /** The texts of the progress lines with this label, e.g. {@code progress("CC")} gives "apphello: hello.o". */
        public List<String> progress(String label) {
            return lines().stream().map(PROGRESS::matcher).filter(m -> m.matches() && m.group(1).equals(label))
                    .map(m -> m.group(2)).toList();
        }
    }

    /** Runs make with extra arguments (goals, VAR=value, -jN). */
    public Result run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("make", "-C", core.toString(),
                "A=" + app.toAbsolutePath(), "O=" + buildDir.toAbsolutePath(), "C=" + config.toAbsolutePath()));
        if (!libs.isEmpty()) {
            cmd.add("L=" + libs.stream().map(p -> p.toAbsolutePath().toString()).collect(Collectors.joining(":")));
        }
        cmd.addAll(List.of(args));
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), output);
    }

    /** {@code make defconfig} from a defconfig file. */
    public Result defconfig(Path defconfig) throws IOException, InterruptedException {
        return run("UK_DEFCONFIG=" + defconfig.toAbsolutePath(), "defconfig");
    }

    /** The image {@code O/<name>_<plat>-<arch>} (plat: qemu, fc or xen). */
    public Path image(String name, String plat, String arch) {
        return buildDir.resolve(name + "_" + plat + "-" + arch);
    }
}
