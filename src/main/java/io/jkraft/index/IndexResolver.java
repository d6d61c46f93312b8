package io.jkraft.index;

import io.jkraft.kraftfile.Component;
import io.jkraft.source.ComponentIndex;
import io.jkraft.source.GitOrigin;
import io.jkraft.source.Origin;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Resolves Kraftfile components against the local index copy only (a build never reads the network for
 * it): the core is {@code core/unikraft}, library {@code NAME} is {@code lib/NAME}. A version the index
 * does not list is taken from the manifest's git {@code origin} when it has one; otherwise, and for names
 * the index does not list, the default origins apply.
 */
public final class IndexResolver implements ComponentIndex {
    private static final Pattern GIT_URL =
            Pattern.compile("(https?|ssh|git|file)://.+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:(?!//).+");

    private final LocalIndex index;

    IndexResolver(LocalIndex index) {
        this.index = index;
    }

    @Override
    public Optional<Origin> origin(Component component, boolean core) {
        if (!index.exists()) {
            return Optional.empty();
        }
        Optional<Manifest> manifest = index.find(core ? ComponentType.CORE : ComponentType.LIB, component.name());
        if (manifest.isEmpty()) {
            return Optional.empty();
        }
        Manifest m = manifest.get();
        Optional<Selection> selection = Selection.of(m, component.version());
        if (selection.isPresent()) {
            return Optional.of(selection.get().origin());
        }
        if (component.version() != null && m.origin() != null && GIT_URL.matcher(m.origin()).matches()
                && !m.origin().matches(".*\\.(tar\\.gz|tgz|tar\\.bz2|tar|zip)$")) {
            return Optional.of(new GitOrigin(m.origin(), component.version()));
        }
        return Optional.empty();
    }
}
