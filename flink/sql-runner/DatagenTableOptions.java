// The options a datagen table may set. Generated rows cost memory and CPU in the learner's JVM, so
// their rate, count, lengths and sequences are bounded, and a table that names no rate gets one within
// the bound (Flink's own default is 10,000 rows a second).
package dev.tributary.flink;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

final class DatagenTableOptions {
    static final long MAX_ROWS_PER_SECOND = 1000;
    static final long MAX_ROWS = 1_000_000;
    private static final String MAX_VALUE = "1000000000000";

    private static final Map<String, OptionRule> TABLE = OptionRule.inOrder(
            "rows-per-second", OptionRule.wholeNumber(1, MAX_ROWS_PER_SECOND),
            "number-of-rows", OptionRule.wholeNumber(0, MAX_ROWS));
    /** Options of one field, written 'fields.<column>.<option>'. */
    private static final Map<String, OptionRule> FIELD = OptionRule.inOrder(
            "kind", OptionRule.oneOf("random", "sequence"),
            "start", OptionRule.wholeNumber(-Long.parseLong(MAX_VALUE), Long.parseLong(MAX_VALUE)),
            "end", OptionRule.wholeNumber(-Long.parseLong(MAX_VALUE), Long.parseLong(MAX_VALUE)),
            "min", OptionRule.decimal("-" + MAX_VALUE, MAX_VALUE),
            "max", OptionRule.decimal("-" + MAX_VALUE, MAX_VALUE),
            "length", OptionRule.wholeNumber(1, 1000),
            "var-len", OptionRule.bool(),
            "null-rate", OptionRule.decimal("0", "1"),
            "max-past", OptionRule.duration(Duration.ofMillis(1), Duration.ofDays(365), false));
    /** 'fields.<path>.<option>': the path is a column, or a part of one ('fields.tags.element.length'). */
    private static final Pattern FIELD_KEY = Pattern.compile("fields\\.(.+)\\.([a-z-]+)");

    private DatagenTableOptions() {}

    /** The options to create `table` with, or Refused; `columns` are its physical columns. */
    static Map<String, String> admit(String table, Map<String, String> options, List<String> columns) throws StatementPolicy.Refused {
        TableOptions.checkEach(table, "datagen", options, key -> ruleFor(key, columns),
                TableOptions.listed(TABLE.keySet()) + ", and for a column c " + TableOptions.listed(FIELD.keySet().stream().map(k -> "fields.c." + k).toList()));
        Set<String> fields = new TreeSet<>();
        for (String key : options.keySet()) {
            Matcher field = FIELD_KEY.matcher(key);
            if (field.matches()) fields.add("fields." + field.group(1) + ".");
        }
        for (String prefix : fields) checkField(table, prefix, options);
        Map<String, String> admitted = new HashMap<>(options);
        admitted.putIfAbsent("rows-per-second", String.valueOf(MAX_ROWS_PER_SECOND));
        return admitted;
    }

    private static OptionRule ruleFor(String key, List<String> columns) {
        if (TABLE.containsKey(key)) return TABLE.get(key);
        Matcher field = FIELD_KEY.matcher(key);
        if (!field.matches()) return null;
        String path = field.group(1);
        boolean ofAColumn = columns.stream().anyMatch(column -> path.equals(column) || path.startsWith(column + "."));
        return ofAColumn ? FIELD.get(field.group(2)) : null;
    }

    /** A sequence has both ends, in order, and at most MAX_ROWS values; a random range is in order. */
    private static void checkField(String table, String prefix, Map<String, String> options) throws StatementPolicy.Refused {
        String start = options.get(prefix + "start"), end = options.get(prefix + "end");
        if ("sequence".equals(options.get(prefix + "kind"))) {
            if (start == null || end == null) {
                throw StatementPolicy.Refused.because("Table " + table + ": '" + prefix + "kind' = 'sequence' needs '" + prefix + "start' and '" + prefix + "end'.");
            }
            long size = Long.parseLong(end) - Long.parseLong(start) + 1;
            if (size < 1 || size > MAX_ROWS) {
                throw StatementPolicy.Refused.because("Table " + table + ": the sequence '" + prefix + "start' = '" + start + "' to '" + prefix + "end' = '" + end
                        + "' is not allowed: a sequence runs from its start up to its end, at most " + MAX_ROWS + " values.");
            }
        }
        String min = options.get(prefix + "min"), max = options.get(prefix + "max");
        if (min != null && max != null && new BigDecimal(min).compareTo(new BigDecimal(max)) > 0) {
            throw StatementPolicy.Refused.because("Table " + table + ": '" + prefix + "min' = '" + min + "' is above '" + prefix + "max' = '" + max
                    + "'; a random value lies between min and max.");
        }
    }
}
