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
import java.nio.channels.Channels;
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
                    pipe(client.getInputStream(), Channels.newOutputStream(broker), client, broker);
                    pipe(Channels.newInputStream(broker), client.getOutputStream(), client, broker);
                }
            });
        }
    }

    private static void pipe(InputStream in, OutputStream out, Socket client, SocketChannel broker) {
        daemon("kafka-pipe", () -> {
            try {
                in.transferTo(out);
            } finally {
                // Either side going away ends both.
                client.close();
                broker.close();
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
