import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The floor of a leaner Java stack: the same proxy as {@link StackFloor} written on Netty alone (epoll,
 * an event loop per core, upstream connections pooled per event loop so a request never changes
 * thread), without Vert.x. Beside the Vert.x floor it shows what the HTTP layer Airlock chose costs on
 * this machine, and what another would save. A diagnostic, not a product.
 *
 * <p>Usage: {@code NettyFloor PORT=UPSTREAM_BASE_URL...}, as {@link StackFloor}.
 */
public final class NettyFloor {
    private static final AttributeKey<Channel> CLIENT = AttributeKey.valueOf("client");

    public static void main(String[] args) throws Exception {
        int loops = Runtime.getRuntime().availableProcessors();
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(loops, EpollIoHandler.newFactory());
        for (String arg : args) {
            int eq = arg.indexOf('=');
            int port = Integer.parseInt(arg.substring(0, eq));
            URI upstream = URI.create(arg.substring(eq + 1));
            Pools pools = new Pools(upstream);
            new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Front(pools));
                        }
                    }).bind("127.0.0.1", port).sync();
            System.out.println("netty floor on " + port + " -> " + upstream + ", " + loops + " event loops");
        }
    }

    /** Idle upstream connections per event loop; touched only from that loop's thread. */
    private static final class Pools {
        private final URI upstream;
        private final Map<EventLoop, ArrayDeque<Channel>> idle = new IdentityHashMap<>();

        Pools(URI upstream) {
            this.upstream = upstream;
        }

        synchronized ArrayDeque<Channel> of(EventLoop loop) {
            return idle.computeIfAbsent(loop, l -> new ArrayDeque<>());
        }
    }

    /** The client side: aggregates the request, sends it on an upstream connection of this loop. */
    private static final class Front extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Pools pools;

        Front(Pools pools) {
            this.pools = pools;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            if (req.method() == HttpMethod.GET && req.uri().equals("/health")) {
                DefaultHttpResponse ok = new DefaultHttpResponse(HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpResponseStatus.OK);
                HttpUtil.setContentLength(ok, 5);
                ctx.write(ok);
                ctx.writeAndFlush(new io.netty.handler.codec.http.DefaultLastHttpContent(Unpooled.copiedBuffer("ready", java.nio.charset.StandardCharsets.US_ASCII)));
                return;
            }
            FullHttpRequest up = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, req.uri(), req.content().retain());
            up.headers().set(HttpHeaderNames.HOST, pools.upstream.getHost() + ":" + pools.upstream.getPort())
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .set(HttpHeaderNames.CONTENT_LENGTH, req.content().readableBytes());
            EventLoop loop = ctx.channel().eventLoop();
            ArrayDeque<Channel> idle = pools.of(loop);
            Channel ch;
            while ((ch = idle.pollFirst()) != null && !ch.isActive()) { /* drop closed ones */ }
            if (ch != null) {
                send(ch, up, ctx.channel());
                return;
            }
            new Bootstrap().group(loop).channel(EpollSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast(new HttpClientCodec(), new Back(idle));
                        }
                    })
                    .connect(pools.upstream.getHost(), pools.upstream.getPort())
                    .addListener((ChannelFutureListener) f -> {
                        if (f.isSuccess()) send(f.channel(), up, ctx.channel());
                        else { up.release(); ctx.close(); }
                    });
        }

        private static void send(Channel upstream, FullHttpRequest up, Channel client) {
            upstream.attr(CLIENT).set(client);
            upstream.writeAndFlush(up);
        }
    }

    /** The upstream side: the answer's head, then each piece of its body, goes to the client as it comes. */
    private static final class Back extends SimpleChannelInboundHandler<HttpObject> {
        private final ArrayDeque<Channel> idle;

        Back(ArrayDeque<Channel> idle) {
            this.idle = idle;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            Channel client = ctx.channel().attr(CLIENT).get();
            if (msg instanceof HttpResponse r) {
                DefaultHttpResponse out = new DefaultHttpResponse(HttpVersion.HTTP_1_1, r.status());
                CharSequence type = r.headers().get(HttpHeaderNames.CONTENT_TYPE);
                if (type != null) out.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
                if (HttpUtil.isContentLengthSet(r)) HttpUtil.setContentLength(out, HttpUtil.getContentLength(r));
                else HttpUtil.setTransferEncodingChunked(out, true);
                client.write(out);
            }
            if (msg instanceof HttpContent c) {
                boolean last = msg instanceof LastHttpContent;
                client.writeAndFlush(last ? new io.netty.handler.codec.http.DefaultLastHttpContent(c.content().retain())
                        : new io.netty.handler.codec.http.DefaultHttpContent(c.content().retain()));
                if (last) {
                    ctx.channel().attr(CLIENT).set(null);
                    idle.addLast(ctx.channel());
                }
            }
        }
    }
}
