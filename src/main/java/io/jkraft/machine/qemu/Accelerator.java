package io.jkraft.machine.qemu;

/**
 * How QEMU runs the guest's CPU.
 *
 * @param kind   KVM (hardware virtualization) or TCG (emulation)
 * @param reason why TCG was chosen; null for KVM
 * @param quiet  true when the user was already told (a remembered probe) or needs no telling (a guest of
 *               another architecture, which KVM could never run)
 */
public record Accelerator(Kind kind, String reason, boolean quiet) {

    public enum Kind { KVM, TCG }

    public Accelerator(Kind kind, String reason) {
        this(kind, reason, false);
    }

    /** The same decision, as remembered from an earlier probe: its notice was shown then. */
    public Accelerator remembered() {
        return new Accelerator(kind, reason, true);
    }

    public static Accelerator kvm() {
        return new Accelerator(Kind.KVM, null);
    }

    public static Accelerator tcg(String reason) {
        return new Accelerator(Kind.TCG, reason);
    }

    public boolean isKvm() {
        return kind == Kind.KVM;
    }

    /** A one-line notice for the user when emulation is used for lack of KVM; null otherwise. */
    public String notice() {
        if (kind == Kind.KVM || reason == null || quiet) {
            return null;
        }
        return "KVM unavailable: " + reason + "; using TCG emulation (slower)";
    }
}
