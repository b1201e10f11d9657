// The formats a Kafka table may read and write its records in (json and raw), and their options. A
// format's options carry its name as a prefix, and the prefix of the key or value part it serves:
// 'format' = 'json' admits 'json.ignore-parse-errors', 'key.format' = 'raw' admits 'key.raw.charset'.
package dev.tributary.flink;

import java.util.Map;

final class FormatOptions {
    /** The keys that name a format, and the prefix each puts before its format's options. */
    static final Map<String, String> FORMAT_KEYS = Map.of("format", "", "key.format", "key.", "value.format", "value.");
    static final OptionRule FORMAT = OptionRule.oneOf("json", "raw");

    private static final Map<String, Map<String, OptionRule>> OPTIONS = Map.of(
            "json", OptionRule.inOrder(
                    "fail-on-missing-field", OptionRule.bool(),
                    "ignore-parse-errors", OptionRule.bool(),
                    "timestamp-format.standard", OptionRule.oneOf("SQL", "ISO-8601"),
                    "map-null-key.mode", OptionRule.oneOf("FAIL", "DROP", "LITERAL"),
                    "map-null-key.literal", OptionRule.text("[A-Za-z0-9 ._-]", 64, "letters, digits, spaces, '.', '_' or '-'"),
                    "encode.decimal-as-plain-number", OptionRule.bool(),
                    "encode.ignore-null-fields", OptionRule.bool(),
                    "decode.json-parser.enabled", OptionRule.bool()),
            "raw", OptionRule.inOrder(
                    // Charsets by name from a short list: a name is looked up among the JVM's charset providers.
                    "charset", OptionRule.oneOf("UTF-8", "UTF-16", "UTF-16BE", "UTF-16LE", "US-ASCII", "ISO-8859-1"),
                    "endianness", OptionRule.oneOf("big-endian", "little-endian")));

    private FormatOptions() {}

    /** The rule of a format option `key` of a table whose options are `options`; null when it is none. */
    static OptionRule ruleFor(String key, Map<String, String> options) {
        for (Map.Entry<String, String> formatKey : FORMAT_KEYS.entrySet()) {
            String format = options.get(formatKey.getKey());
            if (format == null || !OPTIONS.containsKey(format)) continue;
            String prefix = formatKey.getValue() + format + ".";
            if (key.startsWith(prefix)) return OPTIONS.get(format).get(key.substring(prefix.length()));
        }
        return null;
    }

    /** The format options in words, for a refusal. */
    static String listed() {
        return "the options of the format a table names, prefixed by it ("
                + TableOptions.listed(OPTIONS.get("json").keySet().stream().map(k -> "json." + k).toList()) + "; "
                + TableOptions.listed(OPTIONS.get("raw").keySet().stream().map(k -> "raw." + k).toList())
                + "; 'key.' or 'value.' before them for 'key.format' and 'value.format')";
    }
}
