package dev.kiln.generations;

import java.time.Clock;

import dev.kiln.storage.ResultStore;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/** Turns jobs into what their owner sees, with fresh download links. */
@Component
class JobViews {

	private final JsonMapper json;

	private final ResultStore store;

	private final GenerationSettings settings;

	private final Clock clock;

	JobViews(JsonMapper json, ResultStore store, GenerationSettings settings, Clock clock) {
		this.json = json;
		this.store = store;
		this.settings = settings;
		this.clock = clock;
	}

	JobView of(Job job) {
		return JobView.of(job, json, store, settings.video().resultUrlsValidFor(), settings.video().resultRetention(),
				clock.instant());
	}
}
