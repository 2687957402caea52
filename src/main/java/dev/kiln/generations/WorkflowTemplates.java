package dev.kiln.generations;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;

/**
 * The ComfyUI graphs of the configured workflows, read and checked once at start-up. A graph is filled
 * in by replacing whole placeholder values ({@code "{{prompt}}"}) with typed JSON values in the tree,
 * never by pasting text into JSON, so a prompt cannot change the graph.
 */
@Component
class WorkflowTemplates {

	private final Map<String, JsonNode> graphs = new HashMap<>();

	private final JsonMapper json;

	WorkflowTemplates(GenerationSettings settings, JsonMapper json) {
		this.json = json;
		for (GenerationSettings.Workflow workflow : settings.video().workflows()) {
			JsonNode graph = read(workflow.template());
			if (!graph.isObject() || graph.isEmpty()) {
				throw new IllegalStateException("workflow template " + workflow.template() + " is not a ComfyUI API graph");
			}
			graphs.put(workflow.name(), graph);
		}
	}

	/** The graph for this order, ready for ComfyUI's {@code /prompt}. */
	JsonNode render(VideoOrder order, GenerationSettings.Resolution resolution) {
		Map<String, Object> values = Map.of("{{prompt}}", order.prompt(), "{{seed}}", order.seed(), "{{width}}",
				resolution.width(), "{{height}}", resolution.height(), "{{fps}}", order.fps(), "{{frames}}",
				order.durationSeconds() * order.fps() + 1, "{{duration_seconds}}", order.durationSeconds());
		JsonNode graph = graphs.get(order.workflow()).deepCopy();
		fill(graph, values);
		return graph;
	}

	private void fill(JsonNode node, Map<String, Object> values) {
		if (node instanceof ObjectNode object) {
			for (String name : java.util.List.copyOf(object.propertyNames())) {
				JsonNode child = object.get(name);
				if (child.isString() && values.containsKey(child.asString())) {
					object.set(name, json.valueToTree(values.get(child.asString())));
				}
				else {
					fill(child, values);
				}
			}
		}
		else if (node.isArray()) {
			node.forEach(child -> fill(child, values));
		}
	}

	private JsonNode read(String template) {
		try (InputStream in = new ClassPathResource(template).getInputStream()) {
			return json.readTree(in);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("workflow template " + template + " cannot be read", ex);
		}
	}
}
