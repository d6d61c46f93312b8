package io.jkraft.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jkraft.common.ExitCode;
import io.jkraft.pkg.LocalImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true,
        description = {"List the images of the local store (registries are not listed yet).",
                "With a type flag or --index, list the components of the index's local copy instead (see pkg update)."},
        footer = {"", "Examples:", "  jkraft pkg ls", "  jkraft pkg ls -o json", "  jkraft pkg ls --libs",
                "  jkraft pkg ls --index -o json"})
final class PkgListCommand extends JkraftCommand {

    @Option(names = {"-C", "--core"}, description = "List Unikraft core components of the index.")
    boolean core;

    @Option(names = {"-L", "--libs"}, description = "List libraries of the index.")
    boolean libs;

    @Option(names = "--apps", description = "List applications of the index.")
    boolean apps;

    @Option(names = {"-M", "--archs"}, description = "List architectures of the index.")
    boolean archs;

    @Option(names = {"-P", "--plats"}, description = "List platforms of the index.")
    boolean plats;

    @Option(names = {"-u", "--remote", "--index"}, description = "List every component of the index.")
    boolean index;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "text or json.")
    OutputFormat output = OutputFormat.text;

    PkgListCommand(CliContext context) {
        super(context);
    }

    @Override
    Integer execute() throws Exception {
        if (core || libs || apps || archs || plats || index) {
            return PkgIndexList.print(context, terminal, global, output == OutputFormat.json,
                    PkgIndexList.types(core, libs, apps, archs, plats));
        }
        List<LocalImage> images = context.packageService(new ConsoleBuildListener(terminal, global)).list();
        if (output == OutputFormat.json) {
            terminal.out().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(images.stream().map(PkgListCommand::json).toList()));
        } else {
            String format = "%-40s %-20s %-30s %s%n";
            terminal.out().printf(format, "REFERENCE", "DIGEST", "PLATFORMS", "SIZE");
            for (LocalImage i : images) {
                terminal.out().printf(format, i.reference(), i.digest().toString().substring(0, 19),
                        String.join(",", i.platforms()), size(i.size()));
            }
        }
        terminal.out().flush();
        return ExitCode.SUCCESS.code();
    }

    private static Map<String, Object> json(LocalImage i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("reference", i.reference());
        m.put("digest", i.digest().toString());
        m.put("platforms", i.platforms());
        m.put("size", i.size());
        return m;
    }

    private static String size(long bytes) {
        return bytes < 1 << 20 ? String.format("%.1f KiB", bytes / 1024.0) : String.format("%.1f MiB", bytes / (1024.0 * 1024));
    }
}
