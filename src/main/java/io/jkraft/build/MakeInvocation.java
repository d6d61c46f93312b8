package io.jkraft.build;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One call of the core's make. The core requires absolute paths for A, L, O, C and UK_DEFCONFIG (its
 * sub-make runs in O), so every path is made absolute here.
 */
record MakeInvocation(Path core, Path app, List<Path> libraries, Path out, Path config, String name,
        int jobs, List<String> goals, Map<String, String> variables) {

    MakeInvocation {
        libraries = List.copyOf(libraries);
        goals = List.copyOf(goals);
        variables = Map.copyOf(variables);
    }

    MakeInvocation withGoals(int jobs, Map<String, String> variables, String... goals) {
        return new MakeInvocation(core, app, libraries, out, config, name, jobs, List.of(goals), variables);
    }

    List<String> command() {
        List<String> cmd = new ArrayList<>();
        cmd.add("make");
        cmd.add("--no-print-directory");
        cmd.add("-C");
        cmd.add(abs(core));
        cmd.add("A=" + abs(app));
        if (!libraries.isEmpty()) {
            cmd.add("L=" + String.join(":", libraries.stream().map(MakeInvocation::abs).toList()));
        }
        cmd.add("O=" + abs(out));
        cmd.add("C=" + abs(config));
        if (name != null) {
            cmd.add("N=" + name);
        }
        if (jobs > 1) {
            cmd.add("-j" + jobs);
        }
        variables.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> cmd.add(e.getKey() + "=" + e.getValue()));
        cmd.addAll(goals);
        return cmd;
    }

    private static String abs(Path p) {
        return p.toAbsolutePath().normalize().toString();
    }
}
