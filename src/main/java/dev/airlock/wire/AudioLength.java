package dev.airlock.wire;

/**
 * How long an upload's audio is, read from its header where the container states it: WAV (the data
 * chunk's size over the byte rate) and FLAC (STREAMINFO's samples over its sample rate), the formats
 * dictation systems record in. Compressed formats (MP3, M4A, Ogg, WebM) state no length without
 * decoding frames; for them the upstream's count is the only one.
 */
public final class AudioLength {
    private AudioLength() {}

    /** The audio's length in seconds, or NaN when the header does not say (or is not one of these). */
    public static double seconds(byte[] file) {
        if (file == null || file.length < 12) return Double.NaN;
        if (ascii(file, 0, "RIFF") && ascii(file, 8, "WAVE")) return wav(file);
        if (ascii(file, 0, "fLaC")) return flac(file);
        return Double.NaN;
    }

    /**
     * The chunks after the RIFF header, in order: {@code fmt } gives the byte rate, {@code data} the
     * size. A recorder that streamed the file writes 0 or 0xFFFFFFFF as the size: the bytes present count then.
     */
    private static double wav(byte[] f) {
        long byteRate = 0;
        long at = 12; // long: a chunk's size may point far past the file
        while (at + 8 <= f.length) {
            long size = u32le(f, (int) at + 4);
            int body = (int) at + 8;
            if (ascii(f, body - 8, "fmt ") && body + 12 <= f.length) {
                byteRate = u32le(f, body + 8);
            } else if (ascii(f, body - 8, "data")) {
                long present = f.length - body;
                long bytes = size == 0 || size == 0xFFFFFFFFL ? present : Math.min(size, present);
                return byteRate > 0 ? (double) bytes / byteRate : Double.NaN;
            }
            at = body + size + (size & 1); // chunks are padded to even sizes
        }
        return Double.NaN;
    }

    /** STREAMINFO is the first metadata block: 20 bits of sample rate, then 36 bits of total samples (0: unknown). */
    private static double flac(byte[] f) {
        int info = 8; // "fLaC", then the block header's type byte and 24-bit length
        if ((f[4] & 0x7F) != 0 || f.length < info + 18) return Double.NaN;
        long rate = ((f[info + 10] & 0xFFL) << 12) | ((f[info + 11] & 0xFFL) << 4) | ((f[info + 12] & 0xF0L) >> 4);
        long samples = ((f[info + 13] & 0x0FL) << 32) | u32be(f, info + 14);
        return rate > 0 && samples > 0 ? (double) samples / rate : Double.NaN;
    }

    private static boolean ascii(byte[] f, int at, String s) {
        if (at + s.length() > f.length) return false;
        for (int i = 0; i < s.length(); i++) if (f[at + i] != s.charAt(i)) return false;
        return true;
    }

    private static long u32le(byte[] f, int at) {
        return (f[at] & 0xFFL) | (f[at + 1] & 0xFFL) << 8 | (f[at + 2] & 0xFFL) << 16 | (f[at + 3] & 0xFFL) << 24;
    }

    private static long u32be(byte[] f, int at) {
        return (f[at] & 0xFFL) << 24 | (f[at + 1] & 0xFFL) << 16 | (f[at + 2] & 0xFFL) << 8 | (f[at + 3] & 0xFFL);
    }
}
