package io.jkraft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jkraft.common.Invocation;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** {@link PkgRegistryFastPath} against picocli: the same command from the same arguments, or no answer at all. */
class PkgRegistryFastPathTest {
    private final CliContext context = new CliContext(
            new Terminal(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), false),
            new Invocation(Path.of("").toAbsolutePath(), Map.of()));

    @ParameterizedTest
    @ValueSource(strings = {"push", "pull"})
    void knowsEveryOptionPicocliKnows(String sub) {
        Set<String> names = picocliLine(sub).getCommandSpec().options().stream()
                .filter(o -> !o.usageHelp() && !o.versionHelp())
                .flatMap(o -> Arrays.stream(o.names()))
                .collect(Collectors.toSet());
        assertThat(PkgRegistryFastPath.optionNames(sub)).containsExactlyInAnyOrderElementsOf(names);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "push 127.0.0.1:5000/hello:1",
            "push a:1 b:2 --no-color --log-level debug",
            "push --log-level=warn -- a:1 --weird",
            "pull 127.0.0.1:5000/hello:1",
            "pull -p qemu -m x86_64 hello",
            "pull --plat=qemu --arch=arm64 --no-color a b",
            "pull musl:stable --log-level error",
    })
    void answersExactlyAsPicocliDoes(String line) throws Exception {
        List<String> args = List.of(line.split(" "));
        Optional<JkraftCommand> fast = PkgRegistryFastPath.parse(args, context);
        assertThat(fast).as("parsed without picocli: %s", args).isPresent();
        assertThat(fields(fast.get())).isEqualTo(fields(picocli(args)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "push", "pull", "push --help", "pull -h a", "push -V", "pull -p qemu -p fc a", "pull -pqemu a",
            "pull -p=qemu a", "pull -m", "pull -m -x a", "push --log-level DEBUG a", "push --bogus a",
            "push --no-color --no-color a", "push --no-color=true a", "push -p qemu a", "ls", "-n x .",
    })
    void leavesAnythingElseToPicocli(String line) {
        assertThat(PkgRegistryFastPath.parse(List.of(line.split(" ")), context)).as(line).isEmpty();
    }

    private CommandLine picocliLine(String sub) {
        return PkgCommand.commandLine(new CommandFactory(context), sub).getSubcommands().get(sub);
    }

    private JkraftCommand picocli(List<String> args) {
        CommandLine pkg = PkgCommand.commandLine(new CommandFactory(context), args.get(0));
        CommandLine.ParseResult result = pkg.parseArgs(args.toArray(String[]::new));
        return (JkraftCommand) result.subcommand().commandSpec().userObject();
    }

    /** Every option and parameter field of the command and of its global options, by name. */
    private static Map<String, Object> fields(JkraftCommand command) throws IllegalAccessException {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("class", command.getClass());
        for (Object holder : List.of(command, command.global)) {
            for (Field f : holder.getClass().getDeclaredFields()) {
                if (f.isAnnotationPresent(CommandLine.Option.class) || f.isAnnotationPresent(CommandLine.Parameters.class)) {
                    f.setAccessible(true);
                    values.put(f.getName(), f.get(holder));
                }
            }
        }
        return values;
    }
}
