// The sandbox has no network but its own loopback. For every broker socket the server binds into
// /run/kafka (<port>.sock), this listens on 127.0.0.1:<port> and pipes each connection to the socket,
// so Kafka's clients reach the brokers at the addresses they advertise, and nothing else.
// While the server marks a broker down (<port>.down beside its socket), its port is not listened on:
// the Kafka client then sees a refused connection, as it would with the broker itself, and moves on to
// another broker. The Node programs' forwarder (runs/inside/kafka-forwarder.ts) does the same.
package dev.tributary.flink;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

final class KafkaForwarder {
    /** How often the marks of brokers that are down are looked at (as often as the Node forwarder does). */
    private static final long CHECK_MS = 200;

    private KafkaForwarder() {}

    /** Runs the forwarder alone, for tests of it: `KafkaForwarder <socket folder>`; says "ready" once it listens. */
    public static void main(String[] args) throws Exception {
        start(new File(args[0]));
        System.out.println("ready");
        System.out.flush();
        Thread.currentThread().join();
    }

    /** Starts one listener per broker socket found in `dir`; does nothing when the folder is absent (no sandbox). */
    static void start(File dir) throws IOException {
        File[] sockets = dir.listFiles((d, name) -> name.matches("\\d+\\.sock"));
        if (sockets == null) return;
        List<Listener> listeners = new ArrayList<>();
        for (File socket : sockets) {
            int port = Integer.parseInt(socket.getName().replace(".sock", ""));
            Listener listener = new Listener(port, socket.toPath(), new File(dir, port + ".down"));
            // Listening before the run begins: its first statement may connect at once.
            listener.follow();
            listeners.add(listener);
        }
        daemon("kafka-down-marks", () -> {
            while (true) {
                try {
                    Thread.sleep(CHECK_MS);
                } catch (InterruptedException stopped) {
                    return;
                }
                for (Listener listener : listeners) listener.follow();
            }
        });
    }

    /** One broker's port: listened on while its socket has no down mark beside it. */
    private static final class Listener {
        private final int port;
        private final Path socket;
        private final File downMark;
        private ServerSocket server;

        Listener(int port, Path socket, File downMark) {
            this.port = port;
            this.socket = socket;
            this.downMark = downMark;
        }

        /** Listens or stops listening, as the mark says; connections already made stay, as in the Node forwarder. */
        void follow() {
            boolean down = downMark.exists();
            try {
                if (down && server != null) {
                    server.close();
                    server = null;
                } else if (!down && server == null) {
                    server = listen();
                }
            } catch (IOException failed) {
                // Tried again at the next look: the port may be free by then.
                System.err.println("kafka forwarder: port " + port + ": " + failed.getMessage());
            }
        }

        private ServerSocket listen() throws IOException {
            ServerSocket listening = new ServerSocket();
            listening.setReuseAddress(true);
            listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            daemon("kafka-forwarder-" + port, () -> {
                // Ends when follow() closes the server: accept() then throws.
                while (true) forward(listening.accept());
            });
            return listening;
        }

        private void forward(Socket client) {
            try {
                SocketChannel broker = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                toBroker(client, broker);
                fromBroker(client, broker);
            } catch (IOException bridgeGone) {
                // The server's bridge did not answer: this connection ends, the next one tries again.
                try {
                    client.close();
                } catch (IOException ignored) {
                    // Closed already.
                }
            }
        }
    }

    // The channel is used directly: Channels' stream wrappers hold one lock for reads and writes,
    // so a read waiting for the broker would block every write to it.
    private static void toBroker(Socket client, SocketChannel broker) {
        daemon("kafka-to-broker", () -> {
            try (client; broker) {
                InputStream in = client.getInputStream();
                byte[] bytes = new byte[64 * 1024];
                for (int n; (n = in.read(bytes)) >= 0; ) {
                    ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, n);
                    while (buffer.hasRemaining()) broker.write(buffer);
                }
            }
        });
    }

    private static void fromBroker(Socket client, SocketChannel broker) {
        daemon("kafka-from-broker", () -> {
            try (client; broker) {
                OutputStream out = client.getOutputStream();
                ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
                while (broker.read(buffer) >= 0) {
                    out.write(buffer.array(), 0, buffer.position());
                    out.flush();
                    buffer.clear();
                }
            }
        });
    }

    interface Body {
        void run() throws IOException;
    }

    private static void daemon(String name, Body body) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (IOException closed) {
                // A connection ended (the client or the broker went away), or a listener was closed.
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }
}
