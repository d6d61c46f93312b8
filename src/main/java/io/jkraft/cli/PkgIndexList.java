package io.jkraft.cli;

import io.jkraft.common.ExitCode;
import io.jkraft.index.ComponentType;
import io.jkraft.index.Manifest;
import io.jkraft.index.ManifestVersion;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** `pkg ls` of the index's local copy: one line per component, like kraft's listing of manifests. */
final class PkgIndexList {
    private PkgIndexList() {}

    static Set<ComponentType> types(boolean core, boolean libs, boolean apps, boolean archs, boolean plats) {
        Set<ComponentType> types = EnumSet.noneOf(ComponentType.class);
        if (core) {
            types.add(ComponentType.CORE);
        }
        if (libs) {
            types.add(ComponentType.LIB);
        }
        if (apps) {
            types.add(ComponentType.APP);
        }
        if (archs) {
            types.add(ComponentType.ARCH);
        }
        if (plats) {
            types.add(ComponentType.PLAT);
        }
        return types;
    }

    static int print(CliContext context, Terminal terminal, GlobalOptions global, boolean json, Set<ComponentType> types)
            throws Exception {
        List<Manifest> manifests = PkgIndexCommands.service(context, terminal, global).list(types);
        if (json) {
            terminal.out().println(PkgIndexCommands.toJson(manifests.stream().map(PkgIndexCommands::json).toList()));
        } else {
            String format = "%-6s %-28s %-24s %s%n";
            terminal.out().printf(format, "TYPE", "NAME", "CHANNELS", "VERSIONS");
            for (Manifest m : manifests) {
                List<String> versions = m.versionsDescending().stream().map(ManifestVersion::version).toList();
                terminal.out().printf(format, m.type().kraftName(), m.name(),
                        String.join(",", m.channels().stream().map(c -> c.name() + (c.isDefault() ? "*" : "")).toList()),
                        versions.size() > 4 ? String.join(",", versions.subList(0, 4)) + ",..." : String.join(",", versions));
            }
        }
        terminal.out().flush();
        return ExitCode.SUCCESS.code();
    }

}
