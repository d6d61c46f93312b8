package io.jkraft.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jkraft.common.ExitCode;
import io.jkraft.index.Channel;
import io.jkraft.index.ComponentQuery;
import io.jkraft.index.IndexService;
import io.jkraft.index.Manifest;
import io.jkraft.index.ManifestVersion;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** kraft's component index commands: `pkg source`, `pkg unsource`, `pkg update`, `pkg info`, and pulls of components. */
final class PkgIndexCommands {
    private PkgIndexCommands() {}

    static IndexService service(CliContext context, Terminal terminal, GlobalOptions global) {
        return context.indexService(new ConsoleBuildListener(terminal, global)::info);
    }

    /**
     * `pkg pull` for components of the local index copy ({@code musl}, {@code lib/musl:stable},
     * {@code unikraft@0.17.0}); returns false when a reference is not one, so the image pull handles it.
     */
    static boolean pull(CliContext context, Terminal terminal, GlobalOptions global, List<String> references) {
        IndexService service = service(context, terminal, global);
        if (references == null || references.isEmpty() || !references.stream().allMatch(service::knows)) {
            return false;
        }
        for (String ref : references) {
            IndexService.Pulled p = service.pull(ComponentQuery.parse(ref));
            terminal.err().println(terminal.green("pulled ") + p.selection().manifest().qualifiedName()
                    + " (" + p.selection().label() + ")");
            terminal.out().println(p.fetched().dir());
        }
        terminal.out().flush();
        return true;
    }

    static Map<String, Object> json(Manifest m) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("name", m.name());
        j.put("type", m.type().kraftName());
        j.put("description", m.description());
        j.put("origin", m.origin());
        j.put("channels", m.channels().stream().map(c -> {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("name", c.name());
            cm.put("default", c.isDefault());
            cm.put("latest", c.latest());
            cm.put("resource", c.resource());
            cm.put("sha256", c.sha256() == null ? null : c.sha256().hex());
            return cm;
        }).toList());
        j.put("versions", m.versionsDescending().stream().map(v -> {
            Map<String, Object> vm = new LinkedHashMap<>();
            vm.put("version", v.version());
            vm.put("type", v.type());
            vm.put("resource", v.resource());
            vm.put("sha256", v.sha256() == null ? null : v.sha256().hex());
            vm.put("unikraft", v.unikraft());
            return vm;
        }).toList());
        j.put("source", m.source());
        return j;
    }

    static String toJson(Object o) throws Exception {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(o);
    }

    @Command(name = "source", mixinStandardHelpOptions = true,
            description = "Add a component index: an index or manifest file, a folder or git repository holding index.yaml, or an https URL.",
            footer = {"", "Examples:", "  jkraft pkg source https://manifests.kraftkit.sh/index.yaml",
                    "  jkraft pkg source ./my-index", "  jkraft pkg source https://github.com/me/manifests.git"})
    static final class Source extends JkraftCommand {
        @Parameters(arity = "1..*", paramLabel = "URL")
        List<String> sources;

        Source(CliContext context) {
            super(context);
        }

        @Override
        Integer execute() {
            IndexService service = service(context, terminal, global);
            for (String s : sources) {
                terminal.err().println(terminal.green("added ") + service.addSource(s));
            }
            terminal.err().println("run jkraft pkg update to copy it locally");
            return ExitCode.SUCCESS.code();
        }
    }

    @Command(name = "unsource", mixinStandardHelpOptions = true, description = "Remove a component index added with pkg source.",
            footer = {"", "Examples:", "  jkraft pkg unsource https://manifests.kraftkit.sh/index.yaml"})
    static final class Unsource extends JkraftCommand {
        @Parameters(arity = "1..*", paramLabel = "URL")
        List<String> sources;

        Unsource(CliContext context) {
            super(context);
        }

        @Override
        Integer execute() {
            IndexService service = service(context, terminal, global);
            for (String s : sources) {
                service.removeSource(s);
                terminal.err().println(terminal.green("removed ") + s);
            }
            return ExitCode.SUCCESS.code();
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = "Copy every component index locally (all or nothing); builds resolve components against this copy.",
            footer = {"", "Examples:", "  jkraft pkg update", "  jkraft pkg ls --libs"})
    static final class Update extends JkraftCommand {
        Update(CliContext context) {
            super(context);
        }

        @Override
        Integer execute() {
            IndexService.UpdateSummary s = service(context, terminal, global).update();
            s.perSource().forEach((source, n) -> terminal.err().println(n + " components from " + source));
            terminal.err().println(terminal.green("updated ") + s.total() + " components"
                    + (s.shadowed() > 0 ? " (" + s.shadowed() + " also listed by an earlier source were skipped)" : ""));
            return ExitCode.SUCCESS.code();
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true, description = "Show a component of the index: channels, versions, resources.",
            footer = {"", "Examples:", "  jkraft pkg info musl", "  jkraft pkg info core/unikraft -o json"})
    static final class Info extends JkraftCommand {
        @Parameters(arity = "1", paramLabel = "NAME")
        String name;

        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "text or json.")
        OutputFormat output = OutputFormat.text;

        Info(CliContext context) {
            super(context);
        }

        @Override
        Integer execute() throws Exception {
            Manifest m = service(context, terminal, global).info(ComponentQuery.parse(name));
            if (output == OutputFormat.json) {
                terminal.out().println(toJson(json(m)));
            } else {
                var out = terminal.out();
                out.println(m.qualifiedName() + (m.description() == null ? "" : ": " + m.description()));
                if (m.origin() != null) {
                    out.println("origin:   " + m.origin());
                }
                out.println("index:    " + m.source());
                for (Channel c : m.channels()) {
                    out.println("channel:  " + c.name() + (c.isDefault() ? " (default)" : "")
                            + (c.latest() == null ? "" : " at " + c.latest()) + "  " + c.resource());
                }
                for (ManifestVersion v : m.versionsDescending()) {
                    out.println("version:  " + v.version() + "  " + v.resource());
                }
            }
            terminal.out().flush();
            return ExitCode.SUCCESS.code();
        }
    }
}
