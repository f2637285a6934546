package dev.jdemi.tools.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SelectStrategy;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;

import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Netty 4.2 on one event loop per process, with its native epoll transport (busy-waiting: Netty's
 * {@link SelectStrategy#BUSY_WAIT}, which polls epoll without sleeping) or its native io_uring transport (which offers
 * no busy-wait strategy, so it sleeps in io_uring_enter). The server writes back each buffer it reads and flushes once
 * per read batch, as Netty's own echo example does.
 */
final class NettyEcho implements EchoTransport {
    /** Which native transport. */
    enum Native {
        /** epoll, busy-waiting. */
        EPOLL,
        /** io_uring. */
        IO_URING
    }

    private final Native transport;

    /**
     * Creates the transport.
     *
     * @param transport which native transport
     */
    NettyEcho(Native transport) {
        this.transport = transport;
    }

    /**
     * Says why a native transport cannot run here.
     *
     * @param transport the transport
     * @return the reason, or null when it can run
     */
    static String unavailableReason(Native transport) {
        try {
            Throwable cause = transport == Native.EPOLL ? Epoll.unavailabilityCause() : IoUring.unavailabilityCause();
            return cause == null ? null : "Netty's " + transport.name().toLowerCase() + " transport is unavailable: "
                    + cause;
        } catch (LinkageError e) {
            return "Netty's " + transport.name().toLowerCase() + " transport cannot load: " + e;
        }
    }

    private EventLoopGroup group() {
        IoHandlerFactory factory = transport == Native.EPOLL
                ? EpollIoHandler.newFactory(0, () -> (selectSupplier, hasTasks) -> SelectStrategy.BUSY_WAIT)
                : IoUringIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(1, factory);
    }

    private Class<? extends ServerChannel> serverChannel() {
        return transport == Native.EPOLL ? EpollServerSocketChannel.class : IoUringServerSocketChannel.class;
    }

    private Class<? extends SocketChannel> channel() {
        return transport == Native.EPOLL ? EpollSocketChannel.class : IoUringSocketChannel.class;
    }

    @Override
    public void serve(InetSocketAddress address, Runnable ready) throws Exception {
        EventLoopGroup group = group();
        Channel server = new ServerBootstrap().group(group).channel(serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ServerEcho());
                    }
                })
                .bind(address).sync().channel();
        ready.run();
        server.closeFuture().sync();
    }

    /** Writes back what it reads; flushes at the end of each read batch. */
    private static final class ServerEcho extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public void run(InetSocketAddress address, EchoScenario scenario, Recorder recorder, long warmupNs,
            long measureNs) throws Exception {
        EventLoopGroup group = group();
        try {
            ByteBuf request = Unpooled.directBuffer(scenario.size());
            for (int i = 0; i < scenario.size(); i++) {
                request.writeByte('j');
            }
            CountDownLatch done = new CountDownLatch(1);
            Throwable[] failure = new Throwable[1];
            ClientEcho[] handlers = new ClientEcho[scenario.conns()];
            Channel[] channels = new Channel[scenario.conns()];
            Bootstrap bootstrap = new Bootstrap().group(group).channel(channel())
                    .option(ChannelOption.TCP_NODELAY, true);
            for (int i = 0; i < channels.length; i++) {
                ClientEcho handler = new ClientEcho(request, recorder, done, failure);
                handlers[i] = handler;
                channels[i] = bootstrap.handler(handler).connect(address).sync().channel();
            }
            // The recorder and the first requests belong to the event loop, which runs every handler.
            group.next().submit(() -> {
                recorder.begin(warmupNs, measureNs);
                for (ClientEcho handler : handlers) {
                    handler.send();
                }
            }).sync();
            long timeoutNs = warmupNs + measureNs + TimeUnit.SECONDS.toNanos(30);
            if (!done.await(timeoutNs, TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("the scenario did not finish within its window and 30 s");
            }
            for (Channel channel : channels) {
                channel.close().sync();
            }
            request.release();
            if (failure[0] != null) {
                throw new IllegalStateException("a connection failed", failure[0]);
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** One connection of the client: one request in flight, the next sent when the whole reply has arrived. */
    private static final class ClientEcho extends ChannelInboundHandlerAdapter {
        private final ByteBuf request;
        private final Recorder recorder;
        private final CountDownLatch done;
        private final Throwable[] failure;
        private ChannelHandlerContext context;
        private long sentNs;
        private int received;

        ClientEcho(ByteBuf request, Recorder recorder, CountDownLatch done, Throwable[] failure) {
            this.request = request;
            this.recorder = recorder;
            this.done = done;
            this.failure = failure;
        }

        @Override
        public boolean isSharable() {
            return false;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            context = ctx;
        }

        void send() {
            received = 0;
            sentNs = System.nanoTime();
            context.writeAndFlush(request.retainedDuplicate(), context.voidPromise());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf reply = (ByteBuf) msg;
            received += reply.readableBytes();
            reply.release();
            if (done.getCount() == 0 || received < request.readableBytes()) {
                return;
            }
            if (recorder.complete(sentNs, System.nanoTime())) {
                send();
            } else {
                done.countDown();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failure[0] = cause;
            done.countDown();
        }
    }
}
