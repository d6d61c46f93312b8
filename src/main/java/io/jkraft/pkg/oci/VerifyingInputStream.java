package io.jkraft.pkg.oci;

import io.jkraft.common.Digest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Supplier;

/** Digests what is read and fails at the end of the stream when it does not match the descriptor. */
final class VerifyingInputStream extends FilterInputStream {
    private final Descriptor expected;
    private final Supplier<RuntimeException> mismatch;
    private final Digest.Hasher hasher = Digest.hasher();
    private long count;
    private boolean checked;

    VerifyingInputStream(InputStream in, Descriptor expected, Supplier<RuntimeException> mismatch) {
        super(in);
        this.expected = expected;
        this.mismatch = mismatch;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            hasher.update(b, off, n);
            count += n;
        } else if (n < 0) {
            check();
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // skipping would leave bytes undigested; reading them keeps the check sound
        long skipped = 0;
        byte[] buf = new byte[8192];
        while (skipped < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void check() {
        if (checked) {
            return;
        }
        checked = true;
        if (count != expected.size() || !hasher.digest().equals(expected.digest())) {
            throw mismatch.get();
        }
    }
}
