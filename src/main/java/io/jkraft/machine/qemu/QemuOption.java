package io.jkraft.machine.qemu;

import java.util.ArrayList;
import java.util.List;

/**
 * One QEMU command-line option, rendered into the argv words QEMU expects. Each word is passed to QEMU
 * as its own argv entry, so nothing here is shell-quoted.
 */
public sealed interface QemuOption permits QemuOption.Flag, QemuOption.Value, QemuOption.Props {

    List<String> render();

    /** An option without a value, such as {@code -nographic}. */
    record Flag(String name) implements QemuOption {
        @Override
        public List<String> render() {
            return List.of("-" + name);
        }
    }

    /** An option whose value QEMU takes verbatim, such as {@code -kernel PATH} or {@code -append TEXT}. */
    record Value(String name, String value) implements QemuOption {
        @Override
        public List<String> render() {
            return List.of("-" + name, value);
        }
    }

    /**
     * An option in QEMU's {@code [type,]key=value,...} syntax, such as
     * {@code -fsdev local,id=fs0,path=DIR}. QEMU splits these at commas, so a comma inside a value
     * (a folder named {@code a,b}) is written doubled; without that a path could smuggle in options.
     *
     * @param type the leading implicit value ({@code local}, {@code virtio-net-pci}), or null
     */
    record Props(String name, String type, List<Prop> props) implements QemuOption {

        /** A {@code key=value} pair; a null value renders the key alone (CPU features like {@code +x2apic}). */
        public record Prop(String key, String value) {}

        public Props {
            props = List.copyOf(props);
        }

        public static Props of(String name, String type) {
            return new Props(name, type, List.of());
        }

        /** A copy with one more {@code key=value}. */
        public Props with(String key, String value) {
            List<Prop> more = new ArrayList<>(props);
            more.add(new Prop(key, value));
            return new Props(name, type, more);
        }

        /** A copy with a bare word such as a CPU feature. */
        public Props with(String word) {
            return with(word, null);
        }

        @Override
        public List<String> render() {
            List<String> parts = new ArrayList<>();
            if (type != null) {
                parts.add(escape(type));
            }
            for (Prop p : props) {
                parts.add(p.value() == null ? escape(p.key()) : p.key() + "=" + escape(p.value()));
            }
            return List.of("-" + name, String.join(",", parts));
        }

        static String escape(String value) {
            return value.replace(",", ",,");
        }
    }
}
