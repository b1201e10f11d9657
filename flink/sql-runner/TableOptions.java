// The one way a table's options are checked: every option must be one its connector admits, and its
// value within that option's rule. A refusal names the option, its value and what is allowed instead.
package dev.tributary.flink;

import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

final class TableOptions {
    private TableOptions() {}

    /**
     * Refuses the first option of `table` (in key order, so the message is the same every time) that
     * `ruleFor` does not know or whose value its rule does not admit; `listed` says which are known.
     */
    static void checkEach(String table, String connector, Map<String, String> options, Function<String, OptionRule> ruleFor, String listed)
            throws StatementPolicy.Refused {
        for (String key : new TreeSet<>(options.keySet())) {
            if (key.equals("connector")) continue;
            OptionRule rule = ruleFor.apply(key);
            if (rule == null) throw notListed(table, connector, key, listed);
            String value = options.get(key);
            if (!rule.admits().test(value)) throw outside(table, key, value, rule);
        }
    }

    /** The refusal of `key` = `value`, outside `rule`. */
    static StatementPolicy.Refused outside(String table, String key, String value, OptionRule rule) {
        return StatementPolicy.Refused.because("Table " + table + ": '" + key + "' = '" + shown(value) + "' is not allowed: use " + rule.allowed() + ".");
    }

    private static StatementPolicy.Refused notListed(String table, String connector, String key, String listed) {
        String why = key.startsWith("properties.") || key.equals("topic-pattern")
                ? " (the server says where Kafka is, who you are on it, and which topics are yours)"
                : "";
        return StatementPolicy.Refused.because(
                "Table " + table + ": the option '" + key + "' is not allowed for a " + connector + " table" + why + ". Allowed: " + listed + ".");
    }

    /** A value as a message quotes it: on one line, and short. */
    static String shown(String value) {
        String flat = value.replaceAll("[\\r\\n\\t]", " ");
        return flat.length() > 60 ? flat.substring(0, 57) + "..." : flat;
    }

    /** Keys as a refusal lists them: 'a', 'b', 'c'. */
    static String listed(Iterable<String> keys) {
        StringBuilder out = new StringBuilder();
        for (String key : keys) out.append(out.isEmpty() ? "" : ", ").append("'").append(key).append("'");
        return out.toString();
    }
}
