package dev.meshplane.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;

/** Queries through dnsjava, a resolver library this project did not write. */
final class Dns {
    private Dns() {}

    static SimpleResolver resolver(int port) {
        try {
            SimpleResolver r = new SimpleResolver("127.0.0.1");
            r.setPort(port);
            r.setTimeout(Duration.ofSeconds(5));
            r.setEDNS(-1);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Message query(SimpleResolver r, String name, int type) {
        try {
            return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
        } catch (TextParseException e) {
            throw new IllegalArgumentException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Record> answers(Message m) {
        return m.getSection(org.xbill.DNS.Section.ANSWER);
    }

    static List<Record> additional(Message m) {
        return m.getSection(org.xbill.DNS.Section.ADDITIONAL);
    }

    static List<Record> authority(Message m) {
        return m.getSection(org.xbill.DNS.Section.AUTHORITY);
    }
}
