package io.jkraft.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jkraft.common.ExitCode;
import io.jkraft.origin.FetchedOrigin;
import io.jkraft.origin.OriginOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "fetch", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Fetch the project's components (core, libraries) and their remote origins, without building.",
        footer = {"", "Origin archives are looked for in the shared cache, then in the places of origin_archives (config file)"
                + " and JKRAFT_ORIGIN_ARCHIVES, then at the library's URL; their sha256 is recorded in Kraftfile.lock.",
                "", "Examples:", "  jkraft fetch", "  jkraft fetch --plat qemu --arch arm64 app/",
                "  jkraft fetch --update-lock     # accept origin archives that differ from Kraftfile.lock"})
public final class FetchCommand extends JkraftCommand {

    @Mixin
    ProjectOptions project;

    @Option(names = "--update-lock", description = "Accept origin archives whose sha256 differs from Kraftfile.lock, and record the new sums.")
    boolean updateLock;

    @Option(names = "--no-cache", description = "Do not take origin archives from the shared cache (what is downloaded is still kept there).")
    boolean noCache;

    @Option(names = "--no-configure", description = "Keep a target's existing .config instead of running defconfig first.")
    boolean noConfigure;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "How to list the origin archives: text or json.")
    OutputFormat output = OutputFormat.text;

    FetchCommand(CliContext context) {
        super(context);
    }

    @Override
    Integer execute() throws Exception {
        List<FetchedOrigin> fetched = context.buildService(new ConsoleBuildListener(terminal, global))
                .fetch(project.request(noConfigure, false, null), new OriginOptions(updateLock, noCache));
        if (output == OutputFormat.json) {
            terminal.out().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(fetched.stream().map(FetchCommand::json).toList()));
        } else if (!fetched.isEmpty()) {
            String format = "%-40s %-19s %s%n";
            terminal.out().printf(format, "ORIGIN", "SHA256", "FROM");
            for (FetchedOrigin f : fetched) {
                terminal.out().printf(format, f.key(), f.sha256().hex().substring(0, 12), f.from());
            }
        } else if (!global.quiet()) {
            terminal.out().println("no origin archives to fetch (make fetch asked for none, or they are in the build folders)");
        }
        terminal.out().flush();
        return ExitCode.SUCCESS.code();
    }

    private static Map<String, Object> json(FetchedOrigin f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("origin", f.key());
        m.put("url", f.url());
        m.put("file", f.file().toString());
        m.put("sha256", f.sha256().toString());
        m.put("from", f.from());
        m.put("downloaded", f.downloaded());
        return m;
    }
}
