package io.jkraft.machine.qemu;

/**
 * How QEMU runs the guest's CPU.
 *
 * @param kind   KVM (hardware virtualization) or TCG (emulation)
 * @param reason why TCG was chosen; null for KVM
 */
public record Accelerator(Kind kind, String reason) {

    public enum Kind { KVM, TCG }

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
        if (kind == Kind.KVM || reason == null) {
            return null;
        }
        return "KVM unavailable: " + reason + "; using TCG emulation (slower)";
    }
}
