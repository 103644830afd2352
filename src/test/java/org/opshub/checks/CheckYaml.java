package org.opshub.checks;

/** One check as a {@code templatedRoute} entry of a checks.yaml, for tests that write their own. */
public final class CheckYaml {
    private CheckYaml() {}

    /**
     * The entry: route {@code check-<name>} from {@code template}, parameter {@code name} and the
     * further parameters given as name, value pairs (values quoted as YAML strings).
     */
    public static String entry(String template, String name, String... params) {
        StringBuilder b = new StringBuilder()
                .append("- templatedRoute:\n    routeTemplateRef: ")
                .append(template)
                .append("\n    routeId: check-")
                .append(name)
                .append("\n    parameters:\n      - {name: name, value: ")
                .append(name)
                .append("}\n");
        for (int i = 0; i < params.length; i += 2) {
            b.append("      - {name: ")
                    .append(params[i])
                    .append(", value: \"")
                    .append(params[i + 1])
                    .append("\"}\n");
        }
        return b.toString();
    }
}
