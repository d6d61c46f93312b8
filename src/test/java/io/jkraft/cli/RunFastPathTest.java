package io.jkraft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.common.Invocation;
import io.jkraft.common.UserException;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** {@link RunFastPath} against picocli: the same command from the same arguments, or no answer at all. */
class RunFastPathTest {
    private final CliContext context = new CliContext(
            new Terminal(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), false),
            new Invocation(Path.of("").toAbsolutePath(), Map.of()));

    @Test
    void knowsEveryOptionPicocliKnows() {
        CommandLine picocli = new CommandLine(RunCommand.class, new CommandFactory(context));
        Set<String> names = picocli.getCommandSpec().options().stream()
                .filter(o -> !o.usageHelp() && !o.versionHelp())
                .flatMap(o -> Arrays.stream(o.names()))
                .collect(Collectors.toSet());
        assertThat(RunFastPath.optionNames()).containsExactlyInAnyOrderElementsOf(names);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "app",
            "app -- a1 'two words' -x --rm",
            "-m arm64 --plat qemu -M 128Mi --cpus 2 app",
            "--arch=x86_64 --memory=1Gi --name=web --target=qemu/x86_64 -K app/Kraftfile app",
            "-n web -p 8080:80 -p 127.0.0.1:5353:53/udp --publish=9090:90 -v ./html:/www --volume=/a:/b:ro app",
            "--network jk0 --network=jk1:172.30.0.5 -p 8080:80 app",
            "-e A=1 -e B --env=C=three -a netdev.ip=10.0.0.2/24 --kernel-arg=vfs.fstab=[] k",
            "-d --no-start -W --rm --no-color --log-level debug kernel",
            "--detach --disable-acceleration --log-level=warn --initrd root.cpio --rootfs ./rootfs kernel",
            "kernel -t qemu/arm64 -- --",
            "- --",
            "--gdb=1234 -d app",
            "--gdb=unix:/tmp/g.sock -d app",
            "--gdb app",
            "--gdb - app",
            "app --gdb",
            "--gdb -- a",
            "--gdb --name web app",
    })
    void answersExactlyAsPicocliDoes(String line) throws Exception {
        List<String> args = words(line);
        Optional<RunCommand> fast = RunFastPath.parse(args, context);
        assertThat(fast).as("parsed without picocli: %s", args).isPresent();
        assertThat(fields(fast.get())).isEqualTo(fields(picocli(args)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "--help", "-h app", "-V", "-dW app", "-M128Mi app", "-n=web app", "--rm=true app", "-m x86_64 -m arm64 app",
            "--name", "-a -x app", "--cpus two app", "--cpus -1 app", "--log-level DEBUG app", "--bogus app",
            "-d -d app", "-e",
            "--gdb 1234 app", "--gdb=1 --gdb app", "--gdb=x app", "--gdb= app", "--gdb unix:/tmp/g.sock app",
    })
    void leavesAnythingElseToPicocli(String line) {
        assertThat(RunFastPath.parse(words(line), context)).as(line).isEmpty();
    }

    @Test
    void picocliStillParsesWhatTheFastPathLeaves() throws Exception {
        Map<String, Object> clustered = fields(picocli(words("-dW -M128Mi app")));
        assertThat(clustered).containsEntry("detach", true).containsEntry("noAcceleration", true)
                .containsEntry("memory", "128Mi").containsEntry("positionals", List.of("app"));
    }

    @Test
    void picocliTakesTheWordAfterGdbAsItsPort() throws Exception {
        assertThat(fields(picocli(words("--gdb 1234 app")))).containsEntry("gdb", "1234")
                .containsEntry("positionals", List.of("app"));
        assertThat(fields(picocli(words("--gdb -d app")))).containsEntry("gdb", "").containsEntry("detach", true);
        assertThat(fields(picocli(words("--gdb app")))).containsEntry("gdb", "").containsEntry("positionals", List.of("app"));
        assertThat(fields(picocli(words("--gdb unix:/tmp/g.sock app")))).containsEntry("gdb", "unix:/tmp/g.sock")
                .containsEntry("positionals", List.of("app"));
        assertThat(picocli(words("--gdb=70 app")).request().gdb()).isEqualTo("70");
        assertThat(picocli(words("--gdb=unix:g.sock app")).request().gdb()).isEqualTo("unix:g.sock");
        assertThatThrownBy(() -> picocli(words("--gdb=x app")).request()).isInstanceOf(UserException.class)
                .hasMessageContaining("--gdb=x: not a port");
    }

    private RunCommand picocli(List<String> args) {
        CommandLine cli = new CommandLine(RunCommand.class, new CommandFactory(context));
        cli.parseArgs(args.toArray(String[]::new));
        RunCommand command = cli.getCommand();
        command.originalArgs = cli.getParseResult().originalArgs();
        return command;
    }

    /** Every option and parameter field of the command and of its global options, by name. */
    private static Map<String, Object> fields(RunCommand command) throws IllegalAccessException {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Object holder : List.of(command, command.global)) {
            for (Field f : holder.getClass().getDeclaredFields()) {
                if (f.isAnnotationPresent(CommandLine.Option.class) || f.isAnnotationPresent(CommandLine.Parameters.class)
                        || f.getName().equals("originalArgs")) {
                    f.setAccessible(true);
                    values.put(f.getName(), f.get(holder));
                }
            }
        }
        return values;
    }

    /** Splits on spaces; single quotes keep words together, as a shell would. */
    private static List<String> words(String line) {
        List<String> words = new java.util.ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("'([^']*)'|(\\S+)").matcher(line);
        while (m.find()) {
            words.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return words;
    }
}
