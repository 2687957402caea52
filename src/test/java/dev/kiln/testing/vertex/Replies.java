package dev.kiln.testing.vertex;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.kiln.testing.JsonTrees;

/**
 * Vertex's {@code GenerateContentResponse} bodies for one request: whole, as stream chunks, or refused
 * as unsafe. A model whose name contains {@code image} draws a PNG; any other echoes the prompt.
 */
final class Replies {

	/** Words per stream chunk of a text answer. */
	static final int WORDS_PER_CHUNK = 3;

	private static final List<String> CATEGORIES = List.of("HARM_CATEGORY_HATE_SPEECH",
			"HARM_CATEGORY_DANGEROUS_CONTENT", "HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_SEXUALLY_EXPLICIT");

	private final String model;

	private final Prompt prompt;

	private final String responseId;

	private final String createTime;

	Replies(String model, Prompt prompt, String responseId, Instant now) {
		this.model = model;
		this.prompt = prompt;
		this.responseId = responseId;
		this.createTime = now.truncatedTo(ChronoUnit.MICROS).toString();
	}

	/** The text a text model answers, before any {@code maxOutputTokens} cut: single-spaced. */
	static String text(String model, String prompt) {
		String said = String.join(" ", prompt.strip().split("\\s+")).strip();
		return "Echo from " + model + ": " + said;
	}

	static boolean drawsImages(String model) {
		return model.toLowerCase(Locale.ROOT).contains("image");
	}

	/** The whole answer in one response, as {@code :generateContent} gives it. */
	Map<String, Object> whole(boolean blockAnswer) {
		List<Map<String, Object>> chunks = chunks(blockAnswer);
		if (blockAnswer || drawsImages(model)) {
			return chunks.getFirst();
		}
		StringBuilder text = new StringBuilder();
		chunks.forEach(chunk -> text.append(textOf(chunk)));
		Map<String, Object> last = chunks.getLast();
		return response(candidate(List.of(JsonTrees.object("text", text.toString())), finishReasonOf(last), ratings(false)),
				last.get("usageMetadata"));
	}

	/**
	 * The answer as {@code :streamGenerateContent} sends it: a few words per chunk, the last one also
	 * carrying {@code finishReason}, safety ratings and the full {@code usageMetadata}.
	 */
	List<Map<String, Object>> chunks(boolean blockAnswer) {
		if (blockAnswer) {
			Map<String, Object> blocked = JsonTrees.object("finishReason", "SAFETY", "safetyRatings", ratings(true),
					"finishMessage", "The response is blocked because it contains dangerous content.");
			return List.of(response(blocked, usage(0, null)));
		}
		if (drawsImages(model)) {
			String png = Base64.getEncoder().encodeToString(Png.of(model + "\n" + prompt.text()));
			Map<String, Object> part = JsonTrees.object("inlineData", JsonTrees.object("mimeType", "image/png", "data", png));
			return List.of(response(candidate(List.of(part), "STOP", ratings(false)),
					usage(Tokens.IMAGE_OUTPUT, "IMAGE")));
		}
		List<String> words = Arrays.asList(text(model, prompt.text()).split(" "));
		String finishReason = "STOP";
		if (prompt.maxOutputTokens() != null && words.size() > prompt.maxOutputTokens()) {
			words = words.subList(0, prompt.maxOutputTokens());
			finishReason = "MAX_TOKENS";
		}
		List<Map<String, Object>> chunks = new ArrayList<>();
		for (int from = 0; from < words.size(); from += WORDS_PER_CHUNK) {
			int to = Math.min(from + WORDS_PER_CHUNK, words.size());
			String piece = String.join(" ", words.subList(from, to)) + (to < words.size() ? " " : "");
			List<Map<String, Object>> parts = List.of(JsonTrees.object("text", piece));
			boolean last = to == words.size();
			chunks.add(last ? response(candidate(parts, finishReason, ratings(false)), usage(words.size(), "TEXT"))
					: response(candidate(parts, null, null), null));
		}
		return chunks;
	}

	/** The refusal of an unsafe prompt: no candidates, {@code promptFeedback.blockReason = SAFETY}. */
	Map<String, Object> promptBlocked() {
		Map<String, Object> feedback = JsonTrees.object("blockReason", "SAFETY", "safetyRatings", ratings(true),
				"blockReasonMessage", "The prompt is blocked due to safety reasons.");
		return JsonTrees.object("promptFeedback", feedback, "usageMetadata", usage(-1, null), "modelVersion", model,
				"createTime", createTime, "responseId", responseId);
	}

	private Map<String, Object> response(Map<String, Object> candidate, Object usage) {
		return JsonTrees.object("candidates", List.of(candidate), "usageMetadata", usage, "modelVersion", model,
				"createTime", createTime, "responseId", responseId);
	}

	private static Map<String, Object> candidate(List<Map<String, Object>> parts, String finishReason,
			List<Map<String, Object>> safetyRatings) {
		return JsonTrees.object("content", JsonTrees.object("role", "model", "parts", parts), "finishReason", finishReason,
				"safetyRatings", safetyRatings);
	}

	/** Usage with these output tokens; a negative count leaves candidates out (a refused prompt). */
	private Map<String, Object> usage(int outputTokens, String modality) {
		int output = Math.max(outputTokens, 0);
		return JsonTrees.object("promptTokenCount", prompt.tokens(), "candidatesTokenCount",
				outputTokens < 0 ? null : output, "totalTokenCount", prompt.tokens() + output, "trafficType",
				"ON_DEMAND", "promptTokensDetails", List.of(JsonTrees.object("modality", "TEXT", "tokenCount",
						prompt.tokens())),
				"candidatesTokensDetails", modality == null ? null
						: List.of(JsonTrees.object("modality", modality, "tokenCount", output)));
	}

	private static List<Map<String, Object>> ratings(boolean blocked) {
		List<Map<String, Object>> ratings = new ArrayList<>();
		for (String category : CATEGORIES) {
			boolean hit = blocked && category.equals("HARM_CATEGORY_DANGEROUS_CONTENT");
			ratings.add(JsonTrees.object("category", category, "probability", hit ? "HIGH" : "NEGLIGIBLE",
					"probabilityScore", hit ? 0.93 : 0.02, "severity",
					hit ? "HARM_SEVERITY_HIGH" : "HARM_SEVERITY_NEGLIGIBLE", "severityScore", hit ? 0.88 : 0.01,
					"blocked", hit ? Boolean.TRUE : null));
		}
		return ratings;
	}

	@SuppressWarnings("unchecked")
	private static String textOf(Map<String, Object> chunk) {
		Map<String, Object> candidate = ((List<Map<String, Object>>) chunk.get("candidates")).getFirst();
		Map<String, Object> content = (Map<String, Object>) candidate.get("content");
		return (String) ((List<Map<String, Object>>) content.get("parts")).getFirst().get("text");
	}

	@SuppressWarnings("unchecked")
	private static String finishReasonOf(Map<String, Object> chunk) {
		return (String) ((List<Map<String, Object>>) chunk.get("candidates")).getFirst().get("finishReason");
	}
}
