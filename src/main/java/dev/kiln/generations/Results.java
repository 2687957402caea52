package dev.kiln.generations;

import java.util.List;
import java.util.UUID;

/** Where a job's outputs go in the bucket, and what each must be. */
final class Results {

	static final String VIDEO = "video";

	static final String VIDEO_TYPE = "video/mp4";

	private Results() {
	}

	/** The outputs a video job must produce. */
	static List<Expected> expectedFor(Job job) {
		return List.of(new Expected(VIDEO, key(job.userId(), job.id(), "video.mp4"), VIDEO_TYPE));
	}

	static String key(UUID user, UUID job, String file) {
		return "generations/" + user + "/" + job + "/" + file;
	}

	/** An output Kiln asked the worker for. */
	record Expected(String name, String key, String contentType) {
	}

	/** An output found in the bucket. */
	record Stored(String name, String key, String contentType, long size) {
	}
}
