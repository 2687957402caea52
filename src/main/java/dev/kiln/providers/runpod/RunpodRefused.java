package dev.kiln.providers.runpod;

/** RunPod refused the call itself (a 4xx other than 429): repeating it cannot help. */
public class RunpodRefused extends RuntimeException {

	private final int status;

	public RunpodRefused(int status, String message) {
		super(message);
		this.status = status;
	}

	public int status() {
		return status;
	}
}
