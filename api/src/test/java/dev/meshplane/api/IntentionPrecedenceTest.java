package dev.meshplane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.proto.v1.Intention;
import dev.meshplane.proto.v1.IntentionAction;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Intention precedence and decisions, as a table: which intention decides, and the outcome. */
class IntentionPrecedenceTest {
    private static Intention intention(String spec) {
        // "src>dst:allow" or "src>dst:deny"
        String[] pair = spec.split(":");
        String[] ends = pair[0].split(">");
        return IntentionRules.normalize("intention", Intention.newBuilder().setSourceName(ends[0])
                .setDestinationName(ends[1]).setAction(pair[1].equals("allow")
                        ? IntentionAction.INTENTION_ACTION_ALLOW : IntentionAction.INTENTION_ACTION_DENY).build());
    }

    private static List<Intention> intentions(String specs) {
        List<Intention> out = new ArrayList<>();
        for (String s : specs.split(" ")) {
            if (!s.isBlank()) {
                out.add(intention(s));
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} | {1}->{2} default {3}: {4} by {5}")
    @CsvSource(delimiter = '|', textBlock = """
            ''                                   | web | db  | allow | true  | default
            ''                                   | web | db  | deny  | false | default
            web>db:deny                          | web | db  | allow | false | web>db
            web>db:allow                         | web | db  | deny  | true  | web>db
            *>db:deny web>db:allow               | web | db  | allow | true  | web>db
            *>db:allow web>db:deny               | web | db  | allow | false | web>db
            *>db:deny web>db:allow               | api | db  | allow | false | *>db
            web>*:deny *>db:allow                | web | db  | allow | true  | *>db
            web>*:allow *>db:deny                | web | db  | allow | false | *>db
            web>*:deny                           | web | api | allow | false | web>*
            *>*:deny web>*:allow                 | web | api | allow | true  | web>*
            *>*:deny                             | web | db  | allow | false | *>*
            *>*:allow                            | web | db  | deny  | true  | *>*
            *>*:deny *>db:allow web>db:deny      | web | db  | allow | false | web>db
            *>*:deny *>db:allow web>db:deny      | api | db  | allow | true  | *>db
            *>*:deny *>db:allow web>db:deny      | api | web | allow | false | *>*
            web>db:allow                         | db  | web | deny  | false | default
            """)
    void precedenceTable(String specs, String source, String destination, String policy, boolean allowed,
                         String decidedBy) {
        IntentionDecider decider = new IntentionDecider(intentions(specs), policy.equals("allow"));
        IntentionDecider.Decision d = decider.decide(source, destination);
        assertEquals(allowed, d.allowed(), d.reason());
        String by = d.decidedBy().map(i -> i.getSourceName() + ">" + i.getDestinationName()).orElse("default");
        assertEquals(decidedBy, by, d.reason());
        assertTrue(d.reason().startsWith(allowed ? "allowed" : "denied"), d.reason());
    }

    @Test
    void precedenceValuesFollowConsul() {
        assertEquals(9, IntentionRules.precedence("web", "db"));
        assertEquals(8, IntentionRules.precedence("*", "db"));
        assertEquals(6, IntentionRules.precedence("web", "*"));
        assertEquals(5, IntentionRules.precedence("*", "*"));
    }

    @Test
    void denyWinsATieOfEqualPrecedence() {
        // Two intentions of one precedence cannot both match one pair without namespaces, so the tie
        // is built directly: the evaluation order must put the deny first.
        Intention allow = intention("web>db:allow");
        Intention deny = allow.toBuilder().setAction(IntentionAction.INTENTION_ACTION_DENY).build();
        IntentionDecider d = new IntentionDecider(List.of(allow, deny), true);
        assertEquals(deny, d.ordered().get(0));
        assertEquals(false, d.decide("web", "db").allowed());
    }

    @Test
    void matchListsBySourceOrDestinationInEvaluationOrder() {
        IntentionDecider d = new IntentionDecider(intentions("*>*:deny *>db:allow web>db:deny web>api:allow"), true);
        assertEquals(List.of("web>db", "*>db", "*>*"), d.matching("db", false).stream()
                .map(i -> i.getSourceName() + ">" + i.getDestinationName()).toList());
        // Equal precedence (9): the deny comes first.
        assertEquals(List.of("web>db", "web>api", "*>db", "*>*"), d.matching("web", true).stream()
                .map(i -> i.getSourceName() + ">" + i.getDestinationName()).toList());
    }

    @Test
    void badIntentionsAreRefusedNamingTheField() {
        ApiException e = assertThrows(ApiException.class, () -> IntentionRules.normalize("intention",
                Intention.newBuilder().setSourceName("we b").setDestinationName("db")
                        .setAction(IntentionAction.INTENTION_ACTION_ALLOW).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().startsWith("intention.source_name: "), e.getMessage());
        e = assertThrows(ApiException.class, () -> IntentionRules.normalize("intention",
                Intention.newBuilder().setSourceName("web").setDestinationName("db").build()));
        assertEquals("intention.action: must be ALLOW or DENY", e.getMessage());
        e = assertThrows(ApiException.class, () -> IntentionRules.normalize("intention",
                Intention.newBuilder().setSourceName("web").setDestinationName("").setAction(
                        IntentionAction.INTENTION_ACTION_DENY).build()));
        assertEquals("intention.destination_name: must not be empty", e.getMessage());
    }
}
