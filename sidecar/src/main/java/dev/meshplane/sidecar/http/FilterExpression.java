package dev.meshplane.sidecar.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The subset of Consul's ?filter language that maps onto the catalog's own query fields, so
 * filtering happens in the state store and not in a second implementation here:
 * {@code <tags> contains "x"}, {@code "x" in <tags>} and {@code <meta>.k == "v"} (or
 * {@code <meta>["k"] == "v"}), joined by {@code and}, with parentheses. The selector names
 * depend on the endpoint (Service.Tags / Node.Meta for health, ServiceTags / NodeMeta for the
 * catalog). Anything else is a 400 that says what is supported.
 */
final class FilterExpression {
    /** What a filter asks for: instances with every tag, on nodes with every meta pair. */
    record Terms(List<String> tags, Map<String, String> nodeMeta) {}

    private final String tagsSelector;
    private final String metaSelector;
    private final String text;
    private final List<String> tokens;
    private int pos;
    private final List<String> tags = new ArrayList<>();
    private final Map<String, String> meta = new LinkedHashMap<>();

    private FilterExpression(String tagsSelector, String metaSelector, String text) {
        this.tagsSelector = tagsSelector;
        this.metaSelector = metaSelector;
        this.text = text;
        this.tokens = tokenize(text);
    }

    /**
     * @param tagsSelector the selector of the service's tags, or null when tags cannot be filtered
     * @param metaSelector the selector of the node's meta map
     */
    static Terms parse(String filter, String tagsSelector, String metaSelector) {
        FilterExpression f = new FilterExpression(tagsSelector, metaSelector, filter);
        if (f.tokens.isEmpty()) {
            return new Terms(List.of(), Map.of());
        }
        f.expression();
        if (f.pos != f.tokens.size()) {
            throw f.unsupported("unexpected \"" + f.tokens.get(f.pos) + "\"");
        }
        return new Terms(List.copyOf(f.tags), Map.copyOf(f.meta));
    }

    private void expression() {
        term();
        while (pos < tokens.size() && tokens.get(pos).equalsIgnoreCase("and")) {
            pos++;
            term();
        }
        if (pos < tokens.size() && tokens.get(pos).equalsIgnoreCase("or")) {
            throw unsupported("\"or\" is not supported");
        }
    }

    private void term() {
        String first = next();
        if (first.equals("(")) {
            expression();
            expect(")");
            return;
        }
        if (first.equalsIgnoreCase("not")) {
            throw unsupported("\"not\" is not supported");
        }
        if (isString(first)) {
            expect("in");
            String selector = next();
            requireTags(selector);
            tags.add(unquote(first));
            return;
        }
        String op = next();
        if (op.equalsIgnoreCase("contains")) {
            requireTags(first);
            tags.add(stringLiteral(next()));
        } else if (op.equals("==")) {
            String key = metaKey(first);
            String value = stringLiteral(next());
            String previous = meta.put(key, value);
            if (previous != null && !previous.equals(value)) {
                throw unsupported("meta key \"" + key + "\" compared with two values");
            }
        } else {
            throw unsupported("operator \"" + op + "\" is not supported");
        }
    }

    private void requireTags(String selector) {
        if (tagsSelector == null || !selector.equals(tagsSelector)) {
            throw unsupported("selector \"" + selector + "\" cannot be filtered on");
        }
    }

    private String metaKey(String selector) {
        String prefix = metaSelector + ".";
        if (selector.startsWith(prefix) && selector.length() > prefix.length()) {
            return selector.substring(prefix.length());
        }
        String bracket = metaSelector + "[";
        if (selector.startsWith(bracket) && selector.endsWith("]")) {
            String inner = selector.substring(bracket.length(), selector.length() - 1);
            if (isString(inner)) {
                return unquote(inner);
            }
        }
        throw unsupported("selector \"" + selector + "\" cannot be compared");
    }

    private String stringLiteral(String token) {
        if (!isString(token)) {
            throw unsupported("expected a quoted string, got \"" + token + "\"");
        }
        return unquote(token);
    }

    private String next() {
        if (pos >= tokens.size()) {
            throw unsupported("unexpected end");
        }
        return tokens.get(pos++);
    }

    private void expect(String token) {
        String got = next();
        if (!got.equalsIgnoreCase(token)) {
            throw unsupported("expected \"" + token + "\", got \"" + got + "\"");
        }
    }

    private HttpError unsupported(String why) {
        String tagsForm = tagsSelector == null ? "" : "`" + tagsSelector + " contains \"x\"`, `\"x\" in " + tagsSelector + "`, ";
        return HttpError.badRequest("Failed to create boolean expression evaluator: filter \"" + text + "\": " + why
                + "; supported here: " + tagsForm + "`" + metaSelector + ".k == \"v\"` joined by `and`");
    }

    private static boolean isString(String token) {
        return token.length() >= 2 && (token.charAt(0) == '"' || token.charAt(0) == '`');
    }

    private static String unquote(String token) {
        String body = token.substring(1, token.length() - 1);
        if (token.charAt(0) == '`') {
            return body;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\\' && i + 1 < body.length()) {
                c = body.charAt(++i);
            }
            b.append(c);
        }
        return b.toString();
    }

    /** Strings (with their quotes), parentheses, "==", and words (selectors may hold ["k"]). */
    private List<String> tokenize(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '(' || c == ')') {
                out.add(String.valueOf(c));
                i++;
            } else if (c == '"' || c == '`') {
                int end = closingQuote(s, i);
                out.add(s.substring(i, end + 1));
                i = end + 1;
            } else if (c == '=' || c == '!') {
                int end = i;
                while (end < s.length() && (s.charAt(end) == '=' || s.charAt(end) == '!')) {
                    end++;
                }
                out.add(s.substring(i, end));
                i = end;
            } else {
                int end = i;
                while (end < s.length() && !Character.isWhitespace(s.charAt(end)) && s.charAt(end) != '('
                        && s.charAt(end) != ')' && s.charAt(end) != '=' && s.charAt(end) != '!') {
                    if (s.charAt(end) == '[') {
                        int close = s.indexOf(']', end);
                        if (close < 0) {
                            throw HttpError.badRequest("Failed to create boolean expression evaluator: filter \""
                                    + s + "\": unclosed '['");
                        }
                        end = close;
                    }
                    end++;
                }
                out.add(s.substring(i, end));
                i = end;
            }
        }
        return out;
    }

    private static int closingQuote(String s, int open) {
        char quote = s.charAt(open);
        for (int i = open + 1; i < s.length(); i++) {
            if (quote == '"' && s.charAt(i) == '\\') {
                i++;
            } else if (s.charAt(i) == quote) {
                return i;
            }
        }
        throw HttpError.badRequest("Failed to create boolean expression evaluator: filter \"" + s
                + "\": unterminated string");
    }
}
