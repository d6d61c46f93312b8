package io.jkraft.machine.store;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How jkraft recognises the VMM processes of its machines, which outlive the jkraft process that started
 * them and whose pids the system reuses. The VMM drivers must follow this convention:
 *
 * <ol>
 *   <li>Every process that runs a machine (QEMU itself, and any wrapper that waits for it) has the
 *       machine's state folder, exactly as {@link MachineRecord#stateDir()} spells it, in its argv: as a
 *       whole argument, or inside one and followed by {@code /} or a character that cannot be part of a
 *       file name's stem. QEMU gets it through {@code -pidfile <stateDir>/machine.pid} (its monitors' sockets
 *       are bound by bare names in the state folder, its working folder); a shell wrapper has it in its script.</li>
 *   <li>Whoever waits for the VMM writes its exit status as decimal text to {@code <stateDir>/exit-code},
 *       through a temporary file and a rename, so that a reader never sees half a number; a VMM killed by
 *       signal n counts as exit status 128+n, as in shells.</li>
 *   <li>The record's pid is the VMM (QEMU) or the wrapper jkraft spawned; processes below it, and a
 *       wrapper above it that waits for it, belong to the machine too.</li>
 * </ol>
 *
 * The state folder rather than the bare id or QEMU's {@code -name}: it names one machine of one store,
 * so a test or user with another state folder never claims someone else's processes, and QEMU needs the
 * folder in its argv anyway.
 */
public final class VmmMarker {
    /** The exit status file inside a machine's state folder. */
    public static final String EXIT_CODE_FILE = "exit-code";

    private final Pattern pattern;

    /** @param runtimeRoot the folder holding the state folders, {@code <state>/runtime} */
    public VmmMarker(Path runtimeRoot) {
        String uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
        // The look-ahead keeps "<id>.old" or "<id>x" (not a state folder) from counting.
        this.pattern = Pattern.compile(Pattern.quote(runtimeRoot + "/") + "(" + uuid + ")(?![0-9A-Za-z_.-])");
    }

    /** The id of the machine whose marker appears in argv, if any. */
    public Optional<String> machineId(List<String> argv) {
        for (String arg : argv) {
            Matcher m = pattern.matcher(arg);
            if (m.find()) {
                return Optional.of(m.group(1));
            }
        }
        return Optional.empty();
    }

    /** Whether argv carries the marker of machine {@code id}. */
    public boolean marks(List<String> argv, String id) {
        for (String arg : argv) {
            Matcher m = pattern.matcher(arg);
            while (m.find()) {
                if (m.group(1).equals(id)) {
                    return true;
                }
            }
        }
        return false;
    }
}
