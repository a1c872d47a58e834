package dev.meshplane.cli;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/** A tiny UDP DNS server on loopback that answers every A question with 192.0.2.7 (a recursor stand-in). */
final class FakeUpstreamDns implements AutoCloseable {
    static final String ANSWER = "192.0.2.7";

    private final DatagramSocket socket;
    private final Thread thread;
    private volatile int queries;

    FakeUpstreamDns() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        thread = Thread.ofVirtual().name("fake-upstream-dns").start(this::serve);
    }

    private void serve() {
        byte[] buffer = new byte[4096];
        while (!socket.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                socket.receive(p);
                queries++;
                Message query = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
                Message answer = new Message(query.getHeader().getID());
                answer.getHeader().setFlag(org.xbill.DNS.Flags.QR);
                answer.getHeader().setFlag(org.xbill.DNS.Flags.RA);
                answer.getHeader().setRcode(Rcode.NOERROR);
                Record question = query.getQuestion();
                answer.addRecord(question, Section.QUESTION);
                answer.addRecord(new ARecord(question.getName(), question.getDClass(), 60,
                        InetAddress.getByName(ANSWER)), Section.ANSWER);
                byte[] out = answer.toWire();
                socket.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    int queries() {
        return queries;
    }

    @Override
    public void close() {
        socket.close();
        thread.interrupt();
    }
}
