package dev.kiln.testing.runpod;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A job's {@code input} read as Kiln's ComfyUI handler reads it (the contract is on
 * {@link RunpodEmulator}). RunPod itself accepts any input; a handler that cannot use it ends the job
 * {@code FAILED}, which is what {@code problem} becomes. URLs that leave this machine are refused at
 * once, with IllegalArgumentException, so that nothing is ever sent off it.
 */
record WorkerInput(String workflow, List<Output> outputs, URI progressUrl, String problem) {

	/** One file the workflow renders and where to PUT it. */
	record Output(String name, String contentType, URI uploadUrl) {
	}

	static WorkerInput read(Map<String, Object> input) {
		URI progressUrl = null;
		if (input.get("progress_url") instanceof String url) {
			progressUrl = Loopback.require(url, "progress_url");
		}
		List<Output> outputs = new ArrayList<>();
		List<String> problems = new ArrayList<>();
		String workflow = input.get("workflow") instanceof String name && !name.isBlank() ? name : null;
		if (workflow == null) {
			problems.add("'workflow' must be a non-empty string");
		}
		if (input.containsKey("progress_url") && progressUrl == null) {
			problems.add("'progress_url' must be a string");
		}
		if (input.get("outputs") instanceof List<?> list && !list.isEmpty()) {
			for (int i = 0; i < list.size(); i++) {
				Output output = output(list.get(i), "outputs[" + i + "]", problems);
				if (output != null) {
					outputs.add(output);
				}
			}
		}
		else {
			problems.add("'outputs' must be a non-empty list");
		}
		String problem = problems.isEmpty() ? null : "Invalid input: " + String.join("; ", problems);
		return new WorkerInput(workflow, List.copyOf(outputs), progressUrl, problem);
	}

	private static Output output(Object item, String where, List<String> problems) {
		if (!(item instanceof Map<?, ?> output)) {
			problems.add(where + " must be an object");
			return null;
		}
		Object name = output.get("name");
		Object contentType = output.get("content_type");
		Object uploadUrl = output.get("upload_url");
		if (!(name instanceof String) || !(contentType instanceof String) || !(uploadUrl instanceof String)) {
			problems.add(where + " needs string 'name', 'content_type' and 'upload_url'");
			return null;
		}
		URI url = Loopback.require((String) uploadUrl, where + ".upload_url");
		return new Output((String) name, (String) contentType, url);
	}
}
