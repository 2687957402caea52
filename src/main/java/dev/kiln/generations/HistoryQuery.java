package dev.kiln.generations;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import dev.kiln.platform.web.InvalidField;
import dev.kiln.platform.web.PageCursor;
import org.jspecify.annotations.Nullable;

/**
 * A page of generation history as asked for, checked: a bad parameter is a 400 that names it. Null
 * filters match everything. {@link #page} cuts what one extra row fetched into the page and its cursor.
 */
record HistoryQuery(@Nullable JobStatus status, @Nullable String kind, @Nullable PageCursor after, int limit) {

	private static final String LIST = "jobs";

	private static final Set<String> KINDS = Set.of("video", "image", "text");

	static HistoryQuery of(@Nullable String status, @Nullable String kind, @Nullable String cursor, int limit, int maxLimit) {
		if (limit < 1 || limit > maxLimit) {
			throw new InvalidField("limit", "must be between 1 and " + maxLimit);
		}
		JobStatus wanted = status == null ? null : Arrays.stream(JobStatus.values())
			.filter(candidate -> candidate.code().equals(status))
			.findFirst()
			.orElseThrow(() -> new InvalidField("status", "must be one of queued, dispatched, running, succeeded, failed, canceled, expired"));
		if (kind != null && !KINDS.contains(kind)) {
			throw new InvalidField("kind", "must be one of video, image, text");
		}
		return new HistoryQuery(wanted, kind, cursor == null ? null : PageCursor.decode(LIST, cursor), limit);
	}

	/** {@code found} was read with {@code limit + 1}: the extra row only says there is a next page. */
	Page page(List<Job> found) {
		List<Job> shown = found.subList(0, Math.min(limit, found.size()));
		return new Page(shown, found.size() > limit ? new PageCursor(shown.getLast().createdAt(), shown.getLast().id()).encode(LIST) : null);
	}

	record Page(List<Job> jobs, @Nullable String nextCursor) {
	}
}
