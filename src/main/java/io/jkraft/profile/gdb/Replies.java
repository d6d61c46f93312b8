package io.jkraft.profile.gdb;

/** What the gdbstub's answers mean: stop and exit replies, errors, and how to show one in a message. */
final class Replies {
    private Replies() {}

    static String expectData(String reply, String packet) throws GdbException {
        if (reply.isEmpty() || (reply.length() == 3 && reply.charAt(0) == 'E')) {
            throw new GdbException("'" + packet + "' failed: " + describe(reply));
        }
        return reply;
    }

    static boolean isStopReply(String reply) {
        return reply.length() >= 3 && (reply.charAt(0) == 'T' || reply.charAt(0) == 'S') && isHex(reply, 1, 3);
    }

    static boolean isExitReply(String reply) {
        return reply.length() >= 3 && (reply.charAt(0) == 'W' || reply.charAt(0) == 'X') && isHex(reply, 1, 3);
    }

    static GuestExitedException exited(String reply) {
        int status = Integer.parseInt(reply.substring(1, 3), 16);
        String how = reply.charAt(0) == 'W' ? "exited with status " + status : "was terminated by signal " + status;
        return new GuestExitedException("the guest " + how, status, null);
    }

    static boolean isHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    static String describe(String reply) {
        return reply.isEmpty() ? "not supported by the stub" : reply.length() > 40 ? reply.substring(0, 40) + "..." : reply;
    }
}
