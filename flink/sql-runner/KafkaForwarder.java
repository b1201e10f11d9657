// The sandbox has no network but its own loopback. For every broker socket the server binds into
// /run/kafka (<port>.sock), this listens on 127.0.0.1:<port> and pipes each connection to the socket,
// so Kafka's clients reach the brokers at the addresses they advertise, and nothing else.
package dev.tributary.flink;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

final class KafkaForwarder {
    private KafkaForwarder() {}

    /** Starts one listener per broker socket found in `dir`; does nothing when the folder is absent (no sandbox). */
    static void start(File dir) throws IOException {
        File[] sockets = dir.listFiles((d, name) -> name.matches("\\d+\\.sock"));
        if (sockets == null) return;
        for (File socket : sockets) {
            int port = Integer.parseInt(socket.getName().replace(".sock", ""));
            ServerSocket server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
            daemon("kafka-forwarder-" + port, () -> {
                while (true) {
                    Socket client = server.accept();
                    SocketChannel broker = SocketChannel.open(UnixDomainSocketAddress.of(socket.toPath()));
                    toBroker(client, broker);
                    fromBroker(client, broker);
                }
            });
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
                // A connection ended: the client or the broker went away.
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }
}
