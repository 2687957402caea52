package dev.kiln.testing.stripe;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import java.util.function.Predicate;
import java.util.function.Supplier;

import com.stripe.Stripe;

/**
 * Every object the emulator holds, in creation order, and the events they raise. All reads and writes
 * happen inside {@link #atomically}: one lock for the whole account keeps events in the order their
 * changes happened, and hands each change's events to the webhook sender as one batch.
 */
final class StripeStore {

	private final Clock clock;

	private final Map<String, Map<String, Object>> objects = new LinkedHashMap<>();

	private final Map<String, Long> sequence = new HashMap<>();

	private final List<Map<String, Object>> raised = new ArrayList<>();

	private long nextSequence;

	private Consumer<List<WebhookSender.Outgoing>> webhooks = batch -> {
	};

	private Predicate<String> subscribed = type -> false;

	StripeStore(Clock clock) {
		this.clock = clock;
	}

	synchronized void sendEventsTo(Consumer<List<WebhookSender.Outgoing>> webhooks, Predicate<String> subscribed) {
		this.webhooks = webhooks;
		this.subscribed = subscribed;
	}

	/** Runs a change under the account lock, then queues the events it raised for delivery. */
	synchronized <T> T atomically(Supplier<T> change) {
		try {
			return change.get();
		}
		finally {
			if (!raised.isEmpty()) {
				List<WebhookSender.Outgoing> batch = raised.stream()
					.filter(event -> ((Number) event.get("pending_webhooks")).intValue() > 0)
					.map(event -> new WebhookSender.Outgoing((String) event.get("id"), (String) event.get("type"),
							Json.write(event)))
					.toList();
				raised.clear();
				if (!batch.isEmpty()) {
					webhooks.accept(batch);
				}
			}
		}
	}

	synchronized void atomically(Runnable change) {
		atomically(() -> {
			change.run();
			return null;
		});
	}

	long now() {
		return clock.instant().getEpochSecond();
	}

	Clock clock() {
		return clock;
	}

	Map<String, Object> put(Map<String, Object> object) {
		String id = (String) object.get("id");
		if (objects.put(id, object) == null) {
			sequence.put(id, nextSequence++);
		}
		return object;
	}

	/** The object of that type, or Stripe's {@code resource_missing} naming {@code param}. */
	Map<String, Object> get(String objectType, String id, String param) {
		Map<String, Object> object = id == null ? null : objects.get(id);
		if (object == null || !objectType.equals(object.get("object"))) {
			throw StripeApiException.noSuch(objectType, id, param);
		}
		return object;
	}

	/** Like {@link #get} for tests' programmatic controls, which fail as Java calls do. */
	Map<String, Object> require(String objectType, String id) {
		Map<String, Object> object = id == null ? null : objects.get(id);
		if (object == null || !objectType.equals(object.get("object"))) {
			throw new IllegalArgumentException("No such " + objectType + ": '" + id + "'");
		}
		return object;
	}

	/** Objects of a type, newest first as Stripe lists them. */
	List<Map<String, Object>> newestFirst(String objectType) {
		List<Map<String, Object>> all = new ArrayList<>();
		for (Map<String, Object> object : objects.values()) {
			if (objectType.equals(object.get("object"))) {
				all.add(object);
			}
		}
		return all.reversed();
	}

	/**
	 * Records an event holding a snapshot of {@code object} as it is now; the object may change later,
	 * the event never does. {@code previous} is {@code data.previous_attributes}, for {@code *.updated}.
	 */
	void emit(String type, Map<String, Object> object, Map<String, Object> previous, Origin origin) {
		Map<String, Object> data = Json.object("object", Json.copyOf(object));
		if (previous != null) {
			data.put("previous_attributes", Json.copyOf(previous));
		}
		Map<String, Object> event = Json.object("id", Ids.next("evt"), "object", "event", "api_version",
				Stripe.API_VERSION, "created", now(), "data", data, "livemode", false, "pending_webhooks",
				subscribed.test(type) ? 1 : 0, "request",
				Json.object("id", origin.requestId(), "idempotency_key", origin.idempotencyKey()), "type", type);
		put(event);
		raised.add(event);
	}

	void emit(String type, Map<String, Object> object, Origin origin) {
		emit(type, object, null, origin);
	}

	/** A webhook endpoint answered 2xx for this event. */
	void delivered(String eventId) {
		atomically(() -> {
			Map<String, Object> event = objects.get(eventId);
			if (event != null) {
				event.put("pending_webhooks", 0);
			}
		});
	}

	/**
	 * One page of a list endpoint: {@code limit} (1 to 100, default 10), {@code starting_after} and
	 * {@code ending_before} as cursors over {@code newestFirst}, which is already filtered.
	 */
	Map<String, Object> page(String url, List<Map<String, Object>> newestFirst, Params params) {
		Long limit = params.optionalLong("limit");
		if (limit != null && (limit < 1 || limit > 100)) {
			throw StripeApiException.invalid("parameter_invalid_integer", "limit",
					"This value must be greater than or equal to 1 and less than or equal to 100.");
		}
		int size = limit == null ? 10 : limit.intValue();
		String after = params.nonEmptyString("starting_after");
		String before = params.nonEmptyString("ending_before");
		List<Map<String, Object>> window;
		boolean hasMore;
		if (before != null) {
			long cursor = cursor(before, "ending_before");
			List<Map<String, Object>> newer = newestFirst.stream()
				.filter(object -> sequence.get(id(object)) > cursor)
				.toList();
			window = newer.subList(Math.max(0, newer.size() - size), newer.size());
			hasMore = newer.size() > size;
		}
		else {
			long cursor = after == null ? Long.MAX_VALUE : cursor(after, "starting_after");
			List<Map<String, Object>> older = newestFirst.stream()
				.filter(object -> sequence.get(id(object)) < cursor)
				.toList();
			window = older.subList(0, Math.min(size, older.size()));
			hasMore = older.size() > size;
		}
		return Json.object("object", "list", "data", window.stream().map(Json::copyOf).toList(), "has_more", hasMore,
				"url", url);
	}

	/** {@code created} as an exact timestamp or as {@code created[gt|gte|lt|lte]}. */
	static LongPredicate created(Params params) {
		if (!params.has("created")) {
			return created -> true;
		}
		Params range = params.isObject("created") ? params.child("created") : null;
		if (range == null) {
			long exact = params.requiredLong("created");
			return created -> created == exact;
		}
		Long gt = range.optionalLong("gt");
		Long gte = range.optionalLong("gte");
		Long lt = range.optionalLong("lt");
		Long lte = range.optionalLong("lte");
		return created -> (gt == null || created > gt) && (gte == null || created >= gte)
				&& (lt == null || created < lt) && (lte == null || created <= lte);
	}

	static long created(Map<String, Object> object) {
		return ((Number) object.get("created")).longValue();
	}

	/**
	 * A copy of {@code object} with the ids at {@code paths} replaced by their objects, as
	 * {@code expand[]} asks: {@code payment_intent}, {@code subscription.latest_invoice}, {@code data.customer}.
	 */
	Map<String, Object> expand(Map<String, Object> object, List<String> paths) {
		Map<String, Object> copy = Json.copyOf(object);
		for (String path : paths) {
			expandPath(copy, path.split("\\."), 0, path);
		}
		return copy;
	}

	@SuppressWarnings("unchecked")
	private void expandPath(Object node, String[] path, int index, String fullPath) {
		if (index == path.length) {
			return;
		}
		if (node instanceof List<?> list) {
			list.forEach(item -> expandPath(item, path, index, fullPath));
			return;
		}
		if (!(node instanceof Map<?, ?>)) {
			throw StripeApiException.invalid(null, "expand", "This property cannot be expanded (" + fullPath + ").");
		}
		Map<String, Object> map = (Map<String, Object>) node;
		if (!map.containsKey(path[index])) {
			throw StripeApiException.invalid(null, "expand", "This property cannot be expanded (" + fullPath + ").");
		}
		Object value = map.get(path[index]);
		if (value instanceof String id && objects.containsKey(id)) {
			value = Json.copyOf(objects.get(id));
			map.put(path[index], value);
		}
		if (value != null) {
			expandPath(value, path, index + 1, fullPath);
		}
	}

	private long cursor(String id, String param) {
		Long position = sequence.get(id);
		if (position == null) {
			throw StripeApiException.noSuch("object", id, param);
		}
		return position;
	}

	private static String id(Map<String, Object> object) {
		return (String) object.get("id");
	}
}
