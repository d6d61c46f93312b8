package io.jkraft.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jkraft.build.BuildResult;
import io.jkraft.build.BuildService;
import io.jkraft.common.ExitCode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "build", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Configure and build a Kraftfile project into unikernels, one per target.",
        footer = {"", "Examples:",
                "  jkraft build                                  # every target of ./Kraftfile",
                "  jkraft build --plat qemu --arch x86_64 app/   # one target",
                "  jkraft build -t qemu/arm64 --kconfig CONFIG_LIBUKDEBUG_PRINTK_INFO=y",
                "  jkraft build --no-fetch -o json               # offline, machine-readable result"})
public final class BuildCommand extends JkraftCommand {

    @Mixin
    ProjectOptions project;


    @Option(names = "--no-configure", description = "Keep the existing .config (e.g. after jkraft menu).")
    boolean noConfigure;

    @Option(names = {"-F", "--no-cache"}, description = "Build even when no input changed.")
    boolean noCache;

    @Option(names = "--build-log", paramLabel = "FILE", description = "Also write the make log to FILE.")
    Path buildLog;

    @Option(names = "--dbg", description = "Print the path of the debug image (.dbg, with symbols) instead of the stripped one.")
    boolean dbg;

    @Option(names = "--rootfs", paramLabel = "PATH", description = "A folder or cpio file as the root file system instead of the Kraftfile's: packed into the kernel when its configuration embeds an initrd (CONFIG_LIBVFSCORE_AUTOMOUNT_CI_EINITRD).")
    Path rootfs;

    @Option(names = "--no-update", description = "Accepted for kraft compatibility: jkraft has no package index to update before a build.")
    boolean noUpdate;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "Result format: text or json.")
    OutputFormat output = OutputFormat.text;

    BuildCommand(CliContext context) {
        super(context);
    }

    @Override
    Integer execute() throws Exception {
        BuildService service = context.buildService(new ConsoleBuildListener(terminal, global));
        List<BuildResult> results = service.build(project.request(noConfigure, noCache, buildLog).withRootfs(rootfs));
        if (output == OutputFormat.json) {
            terminal.out().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(results.stream().map(BuildCommand::json).toList()));
        } else {
            for (BuildResult r : results) {
                Path shown = dbg && r.debug() != null ? r.debug() : r.kernel();
                String status = r.upToDate() ? "up to date" : String.format("built in %.1fs", r.elapsed().toMillis() / 1000.0);
                terminal.err().println(terminal.green(r.target().platArch()) + ": " + status);
                terminal.out().println(context.invocation().workingDir().relativize(shown));
            }
        }
        terminal.out().flush();
        return ExitCode.SUCCESS.code();
    }

    private static Map<String, Object> json(BuildResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", r.target().name() == null ? r.target().platArch() : r.target().name());
        m.put("platform", r.target().platform().kraftName());
        m.put("architecture", r.target().architecture().kraftName());
        m.put("kernel", r.kernel().toString());
        m.put("debug", r.debug() == null ? null : r.debug().toString());
        m.put("embeddedInitrd", r.embeddedInitrd() == null ? null : r.embeddedInitrd().toString());
        m.put("upToDate", r.upToDate());
        m.put("objects", r.objects());
        m.put("seconds", r.elapsed().toMillis() / 1000.0);
        m.put("kconfigWarnings", r.drifts().stream().map(d -> d.describe()).toList());
        return m;
    }
}
