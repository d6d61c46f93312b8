package io.jkraft.registry;

import io.jkraft.pkg.oci.Descriptor;

/** Hears what a push or pull does with each blob and manifest, for progress output. */
public interface TransferListener {
    /** What happened to one blob or manifest. */
    enum Action {
        /** push: the registry had it already (HEAD), so it was not sent */
        EXISTS,
        /** push: the registry linked it from another repository of its own */
        MOUNTED,
        UPLOADED,
        DOWNLOADED,
        /** pull: the local store had it already */
        CACHED,
        /** a manifest or index written to the registry or stored locally */
        MANIFEST
    }

    void transferred(Action action, Descriptor blob);

    TransferListener SILENT = (action, blob) -> { };
}
