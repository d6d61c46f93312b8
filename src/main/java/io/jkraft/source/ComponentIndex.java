package io.jkraft.source;

import io.jkraft.kraftfile.Component;
import java.util.Optional;

/**
 * A catalogue of components consulted before the default origins, for components a Kraftfile names
 * without a source ({@code unikraft: stable}, {@code libraries: {musl: stable}}).
 */
public interface ComponentIndex {
    /** No index: every component comes from the default origins. */
    ComponentIndex NONE = (component, core) -> Optional.empty();

    /**
     * @param component the component, whose {@code source} is empty
     * @param core      whether it is the Unikraft core rather than a library
     * @return where the index says to fetch it, or empty to use the default origin
     */
    Optional<Origin> origin(Component component, boolean core);
}
