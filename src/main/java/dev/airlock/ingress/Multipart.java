package dev.airlock.ingress;

import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.wire.AudioRequest;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.multipart.Attribute;
import io.netty.handler.codec.http.multipart.DefaultHttpDataFactory;
import io.netty.handler.codec.http.multipart.FileUpload;
import io.netty.handler.codec.http.multipart.HttpPostMultipartRequestDecoder;
import io.netty.handler.codec.http.multipart.InterfaceHttpData;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a {@code multipart/form-data} body, already read whole and bounded by {@code
 * server.max_body_bytes}, with Netty's decoder (the one Vert.x uses), kept in memory: nothing of an
 * upload touches the disk.
 */
final class Multipart {
    private Multipart() {}

    static List<AudioRequest.Part> parts(String contentType, byte[] body) {
        if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data") || !contentType.contains("boundary=")) {
            throw new AirlockException(ErrorKind.INVALID_REQUEST, "The request must be multipart/form-data with a boundary, as audio uploads are; got "
                    + (contentType == null ? "no Content-Type" : "'" + contentType + "'") + ".", "file");
        }
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/", Unpooled.wrappedBuffer(body));
        request.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        HttpPostMultipartRequestDecoder decoder = null;
        try {
            decoder = new HttpPostMultipartRequestDecoder(new DefaultHttpDataFactory(false), request);
            List<AudioRequest.Part> parts = new ArrayList<>();
            for (InterfaceHttpData d : decoder.getBodyHttpDatas()) {
                if (d instanceof FileUpload f) {
                    parts.add(new AudioRequest.Part(f.getName(), f.getFilename(), f.getContentType(), f.get()));
                } else if (d instanceof Attribute a) {
                    parts.add(new AudioRequest.Part(a.getName(), null, null, a.get()));
                }
            }
            return parts;
        } catch (IOException | RuntimeException e) {
            throw new AirlockException(ErrorKind.INVALID_REQUEST, "The multipart body could not be read (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ").", "file");
        } finally {
            if (decoder != null) decoder.destroy();
        }
    }
}
