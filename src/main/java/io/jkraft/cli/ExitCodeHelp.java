package io.jkraft.cli;

import io.jkraft.common.ExitCode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Puts the statuses a command exits with in its {@code --help}, from {@link ExitCode}'s table (an annotation can
 * hold only constants, not the table), and makes picocli's own statuses for bad input and uncaught failures the
 * table's.
 */
public abstract class ExitCodeHelp implements IModelTransformer {
    private final List<ExitCode> codes;

    ExitCodeHelp(ExitCode... codes) {
        this.codes = List.of(codes);
    }

    @Override
    public CommandSpec transform(CommandSpec spec) {
        Map<String, String> list = new LinkedHashMap<>();
        for (ExitCode c : codes) {
            list.put(String.format("%3d", c.code()), c.meaning());
        }
        spec.usageMessage().exitCodeListHeading("%nExit status:%n").exitCodeList(list);
        spec.exitCodeOnInvalidInput(ExitCode.NOT_STARTED.code());
        spec.exitCodeOnExecutionException(ExitCode.INTERNAL_ERROR.code());
        return spec;
    }

    /** What every command exits with. */
    public static final class General extends ExitCodeHelp {
        public General() {
            super(ExitCode.SUCCESS, ExitCode.ERROR, ExitCode.NOT_STARTED, ExitCode.INTERNAL_ERROR, ExitCode.INTERRUPTED);
        }
    }

    /** {@code run}: how its foreground machine ended, too. */
    static final class Run extends ExitCodeHelp {
        Run() {
            super(ExitCode.values());
        }
    }

    /** A command whose output can be closed under it ({@code logs -f | head}). */
    static final class Output extends ExitCodeHelp {
        Output() {
            super(ExitCode.SUCCESS, ExitCode.ERROR, ExitCode.NOT_STARTED, ExitCode.INTERNAL_ERROR, ExitCode.INTERRUPTED,
                    ExitCode.OUTPUT_CLOSED);
        }
    }
}
