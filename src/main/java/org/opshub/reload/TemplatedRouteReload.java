package org.opshub.reload;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.TemplatedRouteDefinition;
import org.apache.camel.model.TemplatedRouteParameterDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.FileWatcherResourceReloadStrategy;
import org.apache.camel.support.PluginHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hot reload of {@code templatedRoute} entries, which Camel 4.18's route reload skips (its
 * {@code RouteBuilder.updateRoutesToCamelContext} updates routes and route templates, never
 * templated routes). Watches the same directory as {@code camel.main.routesReloadDirectory}; when
 * a YAML file changes, its templated routes are compared by route id with the ones it created
 * before: removed or changed ones are stopped and removed, new or changed ones are created from
 * their template; unchanged ones keep running. A file that defines route templates re-creates
 * every templated route using them. A file that does not parse, or an entry that cannot be
 * created (missing parameter, unknown template), is logged at ERROR naming the file and route;
 * the routes already running stay.
 */
public final class TemplatedRouteReload extends FileWatcherResourceReloadStrategy {
    private static final Logger LOG = LoggerFactory.getLogger(TemplatedRouteReload.class);
    /** Per file name: route id → template ref and parameters, as last created. */
    private final Map<String, Map<String, String>> created = new HashMap<>();

    private final BiConsumer<String, Map<String, String>> validator;
    private final Runnable afterReload;

    /**
     * @param directory   the watched directory
     * @param validator   checks a templated route's parameters (template id, name → value) and throws
     *                    {@link IllegalArgumentException} naming the bad one; such an entry is not
     *                    created and the route it would replace keeps running
     * @param afterReload runs after each reload of a file (e.g. forget the state of removed checks)
     */
    public TemplatedRouteReload(
            String directory, BiConsumer<String, Map<String, String>> validator, Runnable afterReload) {
        super(directory);
        this.validator = validator;
        this.afterReload = afterReload;
        setFileFilter(f -> f.getName().endsWith(".yaml"));
        setResourceReload((name, resource) -> reload(resource));
    }

    @Override
    protected void doStart() throws Exception {
        // the routes Camel Main created at startup from the files now in the directory
        Path dir = Path.of(getFolder());
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                    try {
                        created.put(f.getFileName().toString(), signatures(parse(resource(f.toFile())).templated));
                    } catch (Exception e) {
                        LOG.debug("{} not parsed at start: {}", f, e.getMessage());
                    }
                }
            }
        }
        super.doStart();
    }

    private Resource resource(File file) {
        return PluginHelper.getResourceLoader(getCamelContext()).resolveResource("file:" + file.getPath());
    }

    private record Parsed(List<TemplatedRouteDefinition> templated, List<RouteTemplateDefinition> templates) {}

    private Parsed parse(Resource resource) throws Exception {
        List<TemplatedRouteDefinition> templated = new ArrayList<>();
        List<RouteTemplateDefinition> templates = new ArrayList<>();
        for (RoutesBuilder b : PluginHelper.getRoutesLoader(getCamelContext()).findRoutesBuilders(resource)) {
            if (b instanceof RouteBuilder rb) {
                rb.configureRoutes(getCamelContext());
                templated.addAll(rb.getTemplatedRouteCollection().getTemplatedRoutes());
                templates.addAll(rb.getRouteTemplateCollection().getRouteTemplates());
            }
        }
        return new Parsed(templated, templates);
    }

    private static Map<String, String> signatures(List<TemplatedRouteDefinition> defs) {
        Map<String, String> out = new LinkedHashMap<>();
        for (TemplatedRouteDefinition d : defs) {
            Map<String, String> params = new TreeMap<>();
            for (TemplatedRouteParameterDefinition p : d.getParameters()) {
                params.put(p.getName(), p.getValue());
            }
            out.put(d.getRouteId(), d.getRouteTemplateRef() + " " + params);
        }
        return out;
    }

    private synchronized void reload(Resource resource) {
        String file = new File(resource.getLocation().replaceFirst("^file:", "")).getName();
        Parsed parsed;
        try {
            parsed = parse(resource);
        } catch (Exception e) {
            LOG.error("{}: templated routes not reloaded, the file does not parse: {}", file, e.getMessage());
            return;
        }
        CamelContext ctx = getCamelContext();
        Model model = ctx.getCamelContextExtension().getContextPlugin(Model.class);
        List<TemplatedRouteDefinition> usable = new ArrayList<>();
        Map<String, String> invalidKept = new LinkedHashMap<>();
        for (TemplatedRouteDefinition d : parsed.templated) {
            if (d.getRouteId() == null || d.getRouteId().isBlank()) {
                LOG.error(
                        "{}: templatedRoute of {} has no routeId; give every check a routeId",
                        file,
                        d.getRouteTemplateRef());
                continue;
            }
            Map<String, String> params = new TreeMap<>();
            d.getParameters().forEach(p -> params.put(p.getName(), p.getValue()));
            try {
                validator.accept(d.getRouteTemplateRef(), params);
                usable.add(d);
            } catch (IllegalArgumentException e) {
                LOG.error("{}: route {} not reloaded, {}; the running one stays", file, d.getRouteId(), e.getMessage());
                String kept = created.getOrDefault(file, Map.of()).get(d.getRouteId());
                if (kept != null) {
                    invalidKept.put(d.getRouteId(), kept);
                }
            }
        }
        Map<String, String> wanted = signatures(usable);
        wanted.putAll(invalidKept);
        Map<String, String> before = created.getOrDefault(file, Map.of());
        Set<String> templateIds = new HashSet<>();
        parsed.templates.forEach(t -> templateIds.add(t.getId()));
        try {
            if (!parsed.templates.isEmpty()) {
                model.addRouteTemplateDefinitions(parsed.templates);
            }
        } catch (Exception e) {
            LOG.error("{}: route templates not updated: {}", file, e.getMessage());
            return;
        }
        for (Map.Entry<String, String> e : before.entrySet()) {
            if (!e.getValue().equals(wanted.get(e.getKey()))) {
                remove(e.getKey(), file);
            }
        }
        Map<String, String> now = new LinkedHashMap<>();
        for (TemplatedRouteDefinition d : usable) {
            String id = d.getRouteId();
            if (wanted.get(id).equals(before.get(id)) && ctx.getRoute(id) != null) {
                now.put(id, wanted.get(id));
                continue;
            }
            try {
                model.addRouteFromTemplatedRoute(d);
                now.put(id, wanted.get(id));
                LOG.info("{}: route {} created from template {}", file, id, d.getRouteTemplateRef());
            } catch (Exception ex) {
                LOG.error(
                        "{}: route {} not created from template {}: {}",
                        file,
                        id,
                        d.getRouteTemplateRef(),
                        ex.getMessage());
            }
        }
        now.putAll(invalidKept);
        created.put(file, now);
        if (!templateIds.isEmpty()) {
            recreateUsersOf(templateIds, file, model);
        }
        afterReload.run();
    }

    /** Re-creates the templated routes of the other files that use one of these templates. */
    private void recreateUsersOf(Set<String> templateIds, String changedFile, Model model) {
        for (Map.Entry<String, Map<String, String>> f : created.entrySet()) {
            if (f.getKey().equals(changedFile)) {
                continue;
            }
            Path path = Path.of(getFolder(), f.getKey());
            List<TemplatedRouteDefinition> defs;
            try {
                defs = parse(resource(path.toFile())).templated;
            } catch (Exception e) {
                LOG.error("{}: not re-created after a template change: {}", f.getKey(), e.getMessage());
                continue;
            }
            for (TemplatedRouteDefinition d : defs) {
                if (templateIds.contains(d.getRouteTemplateRef())
                        && f.getValue().containsKey(d.getRouteId())) {
                    remove(d.getRouteId(), f.getKey());
                    try {
                        model.addRouteFromTemplatedRoute(d);
                        LOG.info(
                                "{}: route {} re-created from the changed template {}",
                                f.getKey(),
                                d.getRouteId(),
                                d.getRouteTemplateRef());
                    } catch (Exception e) {
                        LOG.error(
                                "{}: route {} not re-created from template {}: {}",
                                f.getKey(),
                                d.getRouteId(),
                                d.getRouteTemplateRef(),
                                e.getMessage());
                    }
                }
            }
        }
    }

    private void remove(String routeId, String file) {
        CamelContext ctx = getCamelContext();
        if (ctx.getRoute(routeId) == null) {
            return;
        }
        try {
            ctx.getRouteController().stopRoute(routeId);
            ctx.removeRoute(routeId);
            LOG.info("{}: route {} removed", file, routeId);
        } catch (Exception e) {
            LOG.error("{}: route {} not removed: {}", file, routeId, e.getMessage());
        }
    }
}
