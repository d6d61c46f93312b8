package io.jkraft.machine.qemu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import net.fornwall.jelf.ElfFile;

/**
 * Whether a kernel reads uknetdev's library parameters ({@code netdev.ip=...}): it has uklibparam's table of them.
 * Such a guest behind QEMU's user networking is given slirp's fixed address on its command line, the one slirp's
 * DHCP would hand it, so that it needs no DHCP exchange (lwIP's takes about two seconds before the guest answers).
 * A kernel without that table (no uklibparam, no uknetdev, stripped with no .dbg beside it) gets nothing: a parameter it does not know
 * would become an application argument.
 */
final class NetdevParameters {
    /** The start of uklibparam's table of libuknetdev's parameters (lib/uklibparam's section naming). */
    static final String TABLE = "uk_libparam_params_libuknetdev_start";
    /** slirp's addresses: the guest, the gateway (the host), the DNS server. */
    static final String USER_NETWORK = "netdev.ip=10.0.2.15/24:10.0.2.2:10.0.2.3";

    private NetdevParameters() {}

    /** Reads the kernel's symbols, or those of the unstripped {@code KERNEL.dbg} beside it (kraft's layout). */
    static boolean read(Path kernel) {
        Path debug = kernel.resolveSibling(kernel.getFileName() + ".dbg");
        return has(kernel) || Files.isRegularFile(debug) && has(debug);
    }

    private static boolean has(Path elf) {
        try {
            return ElfFile.from(elf).getELFSymbol(TABLE) != null;
        } catch (IOException | RuntimeException e) {
            // Not an ELF file jelf reads (it throws the unchecked ElfException): the guest asks DHCP, as before.
            return false;
        }
    }
}
