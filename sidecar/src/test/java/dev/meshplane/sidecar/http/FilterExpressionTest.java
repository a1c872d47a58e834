package dev.meshplane.sidecar.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FilterExpressionTest {
    private static FilterExpression.Terms health(String filter) {
        return FilterExpression.parse(filter, "Service.Tags", "Node.Meta");
    }

    @Test
    void tagAndMetaFormsJoinedByAnd() {
        var t = health("Service.Tags contains \"primary\" and \"v2\" in Service.Tags and Node.Meta.rack == \"a\""
                + " and Node.Meta[\"env\"] == `prod`");
        assertEquals(List.of("primary", "v2"), t.tags());
        assertEquals(Map.of("rack", "a", "env", "prod"), t.nodeMeta());
        assertEquals(List.of("x"), health("(Service.Tags contains \"x\")").tags());
        assertEquals(List.of("a\"b"), health("Service.Tags contains \"a\\\"b\"").tags());
        assertEquals(List.of(), health("   ").tags());
    }

    @Test
    void everythingElseIsA400SayingWhatIsSupported() {
        for (String bad : List.of("Service.Tags contains \"a\" or Service.Tags contains \"b\"",
                "not Service.Tags contains \"a\"", "Service.Port == 80", "Service.Port > 80", "Node.Meta.rack != \"a\"",
                "Service.Tags contains", "Service.Tags contains \"a", "Node.Meta.a == \"1\" and Node.Meta.a == \"2\"",
                "Service.Meta.x == \"y\"")) {
            HttpError e = assertThrows(HttpError.class, () -> health(bad), bad);
            assertEquals(400, e.status());
            assertTrue(e.getMessage().contains("filter"), e.getMessage());
        }
        HttpError noTags = assertThrows(HttpError.class, () -> FilterExpression.parse("Tags contains \"a\"", null, "Meta"));
        assertTrue(noTags.getMessage().contains("`Meta.k == \"v\"`"), noTags.getMessage());
    }
}
