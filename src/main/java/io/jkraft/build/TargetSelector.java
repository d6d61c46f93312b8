package io.jkraft.build;

import io.jkraft.common.UserException;
import io.jkraft.kraftfile.Kraftfile;
import io.jkraft.kraftfile.Target;
import io.jkraft.kraftfile.TargetNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Chooses the targets to build from the Kraftfile and the --plat, --arch and -t flags. */
final class TargetSelector {
    private TargetSelector() {}

    static List<Target> select(Kraftfile kraftfile, BuildRequest request) {
        String plat = request.platform() == null ? null : TargetNames.platform(request.platform());
        String arch = request.architecture() == null ? null : TargetNames.architecture(request.architecture());
        List<Target> declared = kraftfile.targets();
        if (declared.isEmpty()) {
            if (plat != null && arch != null && request.targets().isEmpty()) {
                return List.of(new Target(null, plat, arch, null, Map.of()));
            }
            throw new UserException(kraftfile.file() + ": the Kraftfile declares no targets",
                    "add 'targets: [qemu/x86_64]' to it, or pass both --plat and --arch");
        }
        for (String wanted : request.targets()) {
            if (declared.stream().noneMatch(t -> matches(t, wanted))) {
                throw new UserException("no target named '" + wanted + "' in " + kraftfile.file(),
                        "the Kraftfile declares: " + describe(declared));
            }
        }
        List<Target> chosen = new ArrayList<>();
        for (Target t : declared) {
            boolean byName = request.targets().isEmpty() || request.targets().stream().anyMatch(w -> matches(t, w));
            if (byName && (plat == null || plat.equals(t.platform())) && (arch == null || arch.equals(t.architecture()))) {
                chosen.add(t);
            }
        }
        if (chosen.isEmpty()) {
            throw new UserException("no target of " + kraftfile.file() + " matches"
                    + (plat != null ? " --plat " + request.platform() : "")
                    + (arch != null ? " --arch " + request.architecture() : ""),
                    "the Kraftfile declares: " + describe(declared));
        }
        return chosen;
    }

    private static boolean matches(Target t, String wanted) {
        if (wanted.equals(t.name())) {
            return true;
        }
        int slash = wanted.indexOf('/');
        if (slash < 0) {
            return false;
        }
        try {
            return TargetNames.platform(wanted.substring(0, slash)).equals(t.platform())
                    && TargetNames.architecture(wanted.substring(slash + 1)).equals(t.architecture());
        } catch (UserException notAName) {
            return false;
        }
    }

    private static String describe(List<Target> targets) {
        return String.join(", ", targets.stream()
                .map(t -> t.name() == null ? t.platArch() : t.name() + " (" + t.platArch() + ")").toList());
    }
}
