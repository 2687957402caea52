package dev.kiln.messaging;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.NewTopic;
import org.yaml.snakeyaml.Yaml;

import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;

/**
 * The topics of {@code kafka/topics.yaml} under this deployment's prefix. Code names a topic by its
 * definition's name; an unknown name fails at once instead of publishing to a topic nobody defined.
 */
@Component
public class Topics {

	public static final String GENERATION_REQUESTED = "kiln.generation.requested.v1";

	private final MessagingSettings settings;

	private final List<Definition> definitions;

	Topics(MessagingSettings settings) {
		this.settings = settings;
		this.definitions = load();
	}

	/** The deployed name of the defined topic {@code name}. */
	public String name(String name) {
		if (definitions.stream().noneMatch(definition -> definition.name().equals(name))) {
			throw new IllegalArgumentException("topic '" + name + "' is not defined in kafka/topics.yaml");
		}
		return settings.topicPrefix() + name;
	}

	/** The dead-letter topic of {@code name}. */
	public String deadLetters(String name) {
		return name(name + ".DLT");
	}

	List<NewTopic> newTopics() {
		return definitions.stream().map(definition -> {
			NewTopic topic = new NewTopic(settings.topicPrefix() + definition.name(), java.util.Optional.of(definition.partitions()),
					java.util.Optional.of((short) (settings.replicas() > 0 ? settings.replicas() : definition.replicas())));
			Map<String, String> config = new java.util.HashMap<>(definition.config());
			if (settings.replicas() > 0) {
				config.remove("min.insync.replicas");
			}
			return topic.configs(config);
		}).toList();
	}

	record Definition(String name, int partitions, int replicas, Map<String, String> config) {
	}

	@SuppressWarnings("unchecked")
	private static List<Definition> load() {
		try (InputStream in = new ClassPathResource("kafka/topics.yaml").getInputStream()) {
			Map<String, Object> root = new Yaml().load(in);
			return ((List<Map<String, Object>>) root.get("topics")).stream()
				.map(topic -> new Definition((String) topic.get("name"), (Integer) topic.get("partitions"),
						(Integer) topic.get("replicas"), (Map<String, String>) topic.getOrDefault("config", Map.of())))
				.toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("kafka/topics.yaml is missing from the classpath", ex);
		}
	}
}
