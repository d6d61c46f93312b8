package io.jkraft.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.common.Architecture;
import io.jkraft.common.UserException;
import io.jkraft.kconfig.KconfigValues;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmbeddedInitrdTest {
    private static final Path APP = Path.of("/p/my app");
    private static final Path CORE = Path.of("/c/unikraft");
    private static final Path CONFIG = APP.resolve(".config.app_qemu-x86_64");

    @Test
    void defaultPathIsKraftsPerArchitectureFileInTheOutdirWhenAskedAndNoneIsNamed() {
        KconfigValues asked = new KconfigValues().set("CONFIG_LIBVFSCORE_AUTOMOUNT_CI_EINITRD", "y");
        EmbeddedInitrd.defaultPath(asked, APP.resolve(".unikraft/build"), Architecture.ARM64);
        assertThat(asked.asMap()).containsEntry(EmbeddedInitrd.PATH, "\"/p/my app/.unikraft/build/initramfs-arm64.cpio\"");

        KconfigValues named = new KconfigValues().set("CONFIG_LIBVFSCORE_AUTOMOUNT_EINITRD", "y")
                .set(EmbeddedInitrd.PATH, "/x.cpio");
        EmbeddedInitrd.defaultPath(named, APP, Architecture.X86_64);
        assertThat(named.asMap()).containsEntry(EmbeddedInitrd.PATH, "\"/x.cpio\"");

        KconfigValues notAsked = new KconfigValues().set("CONFIG_LIBVFSCORE_AUTOMOUNT_CI_EINITRD", "n");
        EmbeddedInitrd.defaultPath(notAsked, APP, Architecture.X86_64);
        assertThat(notAsked.asMap()).doesNotContainKey(EmbeddedInitrd.PATH);
    }

    @Test
    void pathExpandsTheCoresMakeVariablesAndIsNullWhenNothingIsEmbedded() {
        assertThat(EmbeddedInitrd.path(Map.of(EmbeddedInitrd.EMBEDS, "y", EmbeddedInitrd.PATH, "\"$(UK_APP)/initrd.cpio\""),
                APP, CORE, CONFIG)).isEqualTo(APP.resolve("initrd.cpio"));
        assertThat(EmbeddedInitrd.path(Map.of(EmbeddedInitrd.EMBEDS, "y", EmbeddedInitrd.PATH, "\"$(UK_BASE)/../r.cpio\""),
                APP, CORE, CONFIG)).isEqualTo(Path.of("/c/r.cpio"));
        assertThat(EmbeddedInitrd.path(Map.of(EmbeddedInitrd.EMBEDS, "n", EmbeddedInitrd.PATH, "\"/x\""), APP, CORE, CONFIG))
                .isNull();
        assertThat(EmbeddedInitrd.path(Map.of(), APP, CORE, CONFIG)).isNull();
    }

    @Test
    void pathThatCannotBeExpandedOrIsRelativeIsAClearError() {
        assertThatThrownBy(() -> EmbeddedInitrd.path(Map.of(EmbeddedInitrd.EMBEDS, "y", EmbeddedInitrd.PATH,
                "\"$(HOME)/x.cpio\""), APP, CORE, CONFIG)).isInstanceOf(UserException.class)
                .hasMessageContaining(CONFIG.toString()).hasMessageContaining("$(HOME)");
        assertThatThrownBy(() -> EmbeddedInitrd.path(Map.of(EmbeddedInitrd.EMBEDS, "y", EmbeddedInitrd.PATH,
                "\"x.cpio\""), APP, CORE, CONFIG)).isInstanceOf(UserException.class).hasMessageContaining("relative");
    }
}
