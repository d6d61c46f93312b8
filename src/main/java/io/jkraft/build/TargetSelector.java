package io.jkraft.build;

import io.jkraft.common.Architecture;
import io.jkraft.common.Platform;
import io.jkraft.common.UserException;
import io.jkraft.kraftfile.Kraftfile;
import io.jkraft.kraftfile.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Chooses the targets to build from the Kraftfile and the --plat, --arch and -t flags. */
final class TargetSelector {
    private TargetSelector() {}

    static List<Target> select(Kraftfile kraftfile, BuildRequest request) {
        Platform plat = request.platform();
        Architecture arch = request.architecture();
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
            if (byName && (plat == null || plat == t.platform()) && (arch == null || arch == t.architecture())) {
                chosen.add(t);
            }
        }
        if (chosen.isEmpty()) {
            throw new UserException("no target of " + kraftfile.file() + " matches"
                    + (plat != null ? " --plat " + plat : "")
                    + (arch != null ? " --arch " + arch : ""),
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
        return Platform.byName(wanted.substring(0, slash)).equals(Optional.of(t.platform()))
                && Architecture.byName(wanted.substring(slash + 1)).equals(Optional.of(t.architecture()));
    }

    private static String describe(List<Target> targets) {
        return String.join(", ", targets.stream()
                .map(t -> t.name() == null ? t.platArch() : t.name() + " (" + t.platArch() + ")").toList());
    }
}
