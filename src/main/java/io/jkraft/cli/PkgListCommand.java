package io.jkraft.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jkraft.pkg.LocalImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true,
        description = "List the images of the local store (registries are not listed yet).",
        footer = {"", "Examples:", "  jkraft pkg ls", "  jkraft pkg ls -o json"})
final class PkgListCommand extends JkraftCommand {

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "text or json.")
    OutputFormat output = OutputFormat.text;

    PkgListCommand(CliContext context) {
        super(context);
    }

    @Override
    Integer execute() throws Exception {
        List<LocalImage> images = context.packageService(new ConsoleBuildListener(terminal, global)).list();
        if (output == OutputFormat.json) {
            terminal.out().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(images.stream().map(PkgListCommand::json).toList()));
        } else {
            String format = "%-40s %-20s %-30s %s%n";
            terminal.out().printf(format, "REFERENCE", "DIGEST", "PLATFORMS", "SIZE");
            for (LocalImage i : images) {
                terminal.out().printf(format, i.reference(), i.digest().substring(0, Math.min(19, i.digest().length())),
                        String.join(",", i.platforms()), size(i.size()));
            }
        }
        terminal.out().flush();
        return 0;
    }

    private static Map<String, Object> json(LocalImage i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("reference", i.reference());
        m.put("digest", i.digest());
        m.put("platforms", i.platforms());
        m.put("size", i.size());
        return m;
    }

    private static String size(long bytes) {
        return bytes < 1 << 20 ? String.format("%.1f KiB", bytes / 1024.0) : String.format("%.1f MiB", bytes / (1024.0 * 1024));
    }
}
