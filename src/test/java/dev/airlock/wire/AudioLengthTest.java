package dev.airlock.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;

/** The length of an upload from its header: WAV files written by the JDK's own audio writer, FLAC's STREAMINFO. */
public class AudioLengthTest {

    /** {@code seconds} of silence as a WAV file, written by {@link AudioSystem}. */
    public static byte[] wav(double seconds, float rate, int bits, int channels) throws Exception {
        AudioFormat f = new AudioFormat(rate, bits, channels, true, false);
        int frames = (int) Math.round(seconds * rate);
        byte[] pcm = new byte[frames * f.getFrameSize()];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AudioSystem.write(new AudioInputStream(new ByteArrayInputStream(pcm), f, frames), AudioFileFormat.Type.WAVE, out);
        return out.toByteArray();
    }

    @Test
    void aWavFilesLengthIsItsDataOverItsByteRate() throws Exception {
        assertThat(AudioLength.seconds(wav(2.5, 16_000, 16, 1))).isCloseTo(2.5, within(1e-6));
        assertThat(AudioLength.seconds(wav(61, 44_100, 16, 2))).isCloseTo(61, within(1e-6));
        assertThat(AudioLength.seconds(wav(0.25, 8_000, 8, 1))).isCloseTo(0.25, within(1e-6));
    }

    @Test
    void aStreamedWavWithoutItsSizeCountsTheBytesPresent() throws Exception {
        byte[] f = wav(3, 8_000, 16, 1);
        int data = indexOf(f, "data");
        ByteBuffer.wrap(f, data + 4, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(-1);
        assertThat(AudioLength.seconds(f)).isCloseTo(3, within(1e-6));
        // a file cut short counts what arrived, not what its header promised
        assertThat(AudioLength.seconds(Arrays.copyOf(wav(3, 8_000, 16, 1), data + 8 + 16_000))).isCloseTo(1, within(1e-6));
    }

    @Test
    void chunksBeforeTheDataAreSkippedEvenWhenOddSized() throws Exception {
        byte[] plain = wav(2, 8_000, 16, 1);
        int data = indexOf(plain, "data");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(plain, 0, data);
        out.writeBytes("LIST".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.writeBytes(new byte[] {5, 0, 0, 0, 'a', 'b', 'c', 'd', 'e', 0}); // 5 bytes and a pad byte
        out.write(plain, data, plain.length - data);
        assertThat(AudioLength.seconds(out.toByteArray())).isCloseTo(2, within(1e-6));
    }

    @Test
    void aFlacFilesLengthIsItsSamplesOverItsRate() {
        assertThat(AudioLength.seconds(flac(44_100, 441_000))).isCloseTo(10, within(1e-9));
        assertThat(AudioLength.seconds(flac(16_000, 16_000L * 3600 * 3))).as("36-bit sample counts").isCloseTo(3 * 3600, within(1e-9));
        assertThat(AudioLength.seconds(flac(48_000, 0))).as("an encoder that did not know the length").isNaN();
    }

    @Test
    void whatTheHeaderDoesNotStateIsUnknownAndNothingThrows() throws Exception {
        assertThat(AudioLength.seconds("ID3\u0004 an mp3".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1))).isNaN();
        assertThat(AudioLength.seconds(new byte[0])).isNaN();
        assertThat(AudioLength.seconds(null)).isNaN();
        byte[] w = wav(1, 8_000, 16, 1);
        byte[] f = flac(44_100, 44_100);
        Random random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            byte[] base = (i % 2 == 0 ? w : f).clone();
            base[random.nextInt(Math.min(base.length, 64))] = (byte) random.nextInt(256);
            byte[] cut = Arrays.copyOf(base, random.nextInt(Math.min(base.length, 80)));
            double s = AudioLength.seconds(cut);
            assertThat(Double.isNaN(s) || s >= 0).as("a damaged header gives a length or none").isTrue();
            AudioLength.seconds(base);
        }
    }

    /** A FLAC stream's signature and STREAMINFO block (the last metadata block), as its format specifies. */
    static byte[] flac(int rate, long samples) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 + 34);
        b.put("fLaC".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.put((byte) 0x80).put((byte) 0).put((byte) 0).put((byte) 34);
        b.putShort((short) 4096).putShort((short) 4096); // min, max block size
        b.put(new byte[6]); // min, max frame size: unknown
        long packed = ((long) rate << 44) | (1L << 41) | (15L << 36) | samples; // rate, channels-1, bits-1, samples
        b.putLong(packed);
        b.put(new byte[16]); // MD5
        return b.array();
    }

    static int indexOf(byte[] f, String s) {
        outer:
        for (int i = 0; i + s.length() <= f.length; i++) {
            for (int j = 0; j < s.length(); j++) if (f[i + j] != s.charAt(j)) continue outer;
            return i;
        }
        throw new AssertionError(s + " not found");
    }
}
