package dev.kiln.testing.runpod;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Predicate;

import com.sun.net.httpserver.HttpServer;
import dev.kiln.testing.LoopbackHttpServer;

/**
 * RunPod Serverless's queue-based API on 127.0.0.1, with a simulated ComfyUI worker behind it. Kiln
 * calls {@code baseUrl() + "/v2/" + endpointId() + "/run"} with {@code Authorization: Bearer apiKey()};
 * tests then {@link #awaitJob}, {@link #awaitDelivery} and flip fault switches.
 *
 * <h2>API</h2> {@code POST /v2/{endpointId}/run} with {@code {"input": {...}, "webhook": "<url>",
 * "policy": {"executionTimeout": <ms>, "ttl": <ms>}}} answers {@code {"id", "status": "IN_QUEUE"}};
 * {@code GET /v2/{endpointId}/status/{jobId}} answers {@code {"delayTime", "error"?, "executionTime",
 * "id", "output"?, "status", "workerId"?}} (times in ms) until the retention window after the job ended
 * has passed, then 404; {@code POST /v2/{endpointId}/cancel/{jobId}} answers {@code {"id", "status"}};
 * {@code GET /v2/{endpointId}/health} answers {@code {"jobs": {"completed", "failed", "inProgress",
 * "inQueue", "retried"}, "workers": {"idle", "running"}}} over the jobs still retained. Every call needs
 * the API key (as {@code Bearer <key>} or bare, as RunPod accepts); refusals are JSON
 * {@code {"error": "..."}}: 401 without the key, 404 for an unknown endpoint or job, 400 for a body
 * without an {@code input} object.
 *
 * <h2>The worker's contract</h2> The {@code input} Kiln sends:
 *
 * <pre>{@code
 * {"workflow": "<name>", "prompt": {<ComfyUI API graph, ignored>}, "parameters": {...},
 *  "outputs": [{"name": "video", "content_type": "video/mp4", "upload_url": "<presigned S3 PUT URL>"}],
 *  "progress_url": "<url>"}
 * }</pre>
 *
 * After the queue delay the job turns {@code IN_PROGRESS}; the worker POSTs {@code {"progress": 25}},
 * 50 and 75 to {@code progress_url} (optional, best effort), renders each output (a few KB starting with
 * an MP4 {@code ftyp} box, the same bytes for the same job: {@link #rendered}), PUTs it to its
 * {@code upload_url} exactly as given with {@code Content-Type: <content_type>}, and the job ends
 * {@code COMPLETED} with output {@code {"outputs": [{"name": "video", "size": <bytes>, "content_type":
 * "video/mp4"}]}}. An input without a {@code workflow} string or a non-empty {@code outputs} list, or an
 * upload answered with anything but 2xx, ends the job {@code FAILED} with an {@code error} string. A
 * job still unfinished after its {@code executionTimeout} (from pick-up, default 10 min) or its
 * {@code ttl} (from submission, default 24 h) ends {@code TIMED_OUT}. When a job ends COMPLETED, FAILED
 * or TIMED_OUT, its status JSON is POSTed to its {@code webhook}; anything but a 2xx answer is retried
 * (3 attempts, 10 s apart, unless {@link #webhookRetries} says otherwise). Cancelled jobs send none.
 * Webhook, progress and upload URLs must be on loopback: others are refused with 400.
 * <p>
 * Thread-safe; the server, the worker and webhook delivery run on the emulator's own threads. The clock
 * stamps jobs and measures retention, so a test clock can expire results; delays and timeouts run in
 * real time. Only the {@code await} methods block, on the caller's thread, which must be a test's.
 */
public final class RunpodEmulator implements AutoCloseable {

	private final String baseUrl;

	private final String apiKey = Ids.apiKey();

	private final String endpointId = Ids.endpointId();

	private final Timings timings = new Timings();

	private final Faults faults = new Faults();

	private final JobStore store;

	private final ScheduledThreadPoolExecutor scheduler;

	private final HttpClient http;

	private final WebhookSender webhooks;

	private final SimulatedWorker worker;

	private final RunpodHttpServer server;

	private RunpodEmulator(HttpServer server, Clock clock) {
		int port = server.getAddress().getPort();
		String threads = "runpod-emulator-" + port + "-";
		this.baseUrl = "http://127.0.0.1:" + port;
		this.store = new JobStore(clock, timings);
		store.addEndpoint(endpointId);
		this.scheduler = new ScheduledThreadPoolExecutor(2,
				Thread.ofPlatform().name(threads + "worker-", 0).daemon().factory());
		scheduler.setRemoveOnCancelPolicy(true);
		this.http = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(5))
			.build();
		this.webhooks = new WebhookSender(http, scheduler, timings, clock);
		this.worker = new SimulatedWorker(store, timings, scheduler, http, webhooks);
		this.server = new RunpodHttpServer(server, Executors.newThreadPerTaskExecutor(
				Thread.ofVirtual().name(threads + "http-", 0).factory()), apiKey, store, faults, worker);
	}

	/** Starts on a free port of 127.0.0.1 with the system clock. */
	public static RunpodEmulator start() {
		return start(Clock.systemUTC());
	}

	/** Starts on a free port of 127.0.0.1; {@code clock} stamps jobs and decides when results expire. */
	public static RunpodEmulator start(Clock clock) {
		return new RunpodEmulator(LoopbackHttpServer.bind(), clock);
	}

	/** {@code http://127.0.0.1:<port>}, standing for {@code https://api.runpod.ai}; paths start {@code /v2/}. */
	public String baseUrl() {
		return baseUrl;
	}

	/** The API key ({@code rpa_…}) every call must present, made at start. */
	public String apiKey() {
		return apiKey;
	}

	/** The endpoint made at start. */
	public String endpointId() {
		return endpointId;
	}

	/** Another endpoint, with its own jobs and workers. */
	public void addEndpoint(String endpointId) {
		store.addEndpoint(endpointId);
	}

	/** How long a job waits IN_QUEUE before a worker picks it up (default 20 ms). */
	public void queueDelay(Duration delay) {
		timings.queueDelay(delay);
	}

	/** The time between the worker's steps: each progress report, then the upload (default 20 ms). */
	public void stepDelay(Duration delay) {
		timings.stepDelay(delay);
	}

	/** How long after a job ends {@code /status} still finds it (default 30 min, by the clock). */
	public void retention(Duration retention) {
		timings.retention(retention);
	}

	/** Attempts per webhook in all and the wait between them (RunPod: 3, 10 s). */
	public void webhookRetries(int maxAttempts, Duration delay) {
		timings.webhookRetries(maxAttempts, delay);
	}

	/** The next {@code count} {@code /run} calls answer {@code httpStatus} (500, 503, 429…) and create no job. */
	public void failRunRequests(int count, int httpStatus) {
		faults.failRunRequests(count, httpStatus);
	}

	/** Every API call waits this long before it is answered ({@code Duration.ZERO} turns it off). */
	public void slowResponses(Duration delay) {
		faults.slow(delay);
	}

	/** Jobs submitted from now on stay IN_PROGRESS until cancelled or past their execution timeout or TTL. */
	public void hangJobs(boolean hang) {
		faults.hang(hang);
	}

	/** Jobs submitted from now on finish, but their webhook is never sent. */
	public void dropWebhooks(boolean drop) {
		faults.dropWebhooks(drop);
	}

	/** Each webhook of jobs submitted from now on is sent {@code copies} times, each retried on its own. */
	public void duplicateWebhooks(int copies) {
		faults.webhookCopies(copies);
	}

	/** Jobs submitted from now on report 25% and then end FAILED with this error (null turns it off). */
	public void failJobs(String error) {
		faults.failWith(error);
	}

	/** Jobs submitted from now on end COMPLETED, listing outputs they never uploaded. */
	public void skipUploads(boolean skip) {
		faults.skipUploads(skip);
	}

	/** Jobs submitted from now on wait IN_PROGRESS, before any progress, until {@link #release}d. */
	public void holdJobs(boolean hold) {
		faults.hold(hold);
	}

	/** Lets a held job go on (at once, or when picked up if it is still queued); NoSuchElementException if none. */
	public void release(String jobId) {
		worker.release(jobId);
	}

	/** Turns every fault switch off; delays and retention set above stay as they are. */
	public void resetFaults() {
		faults.reset();
	}

	/** The job as it is now, even past its retention; NoSuchElementException if there is none. */
	public RunpodJob job(String jobId) {
		return store.view(jobId);
	}

	/** Every job ever accepted, oldest first. */
	public List<RunpodJob> jobs() {
		return store.views();
	}

	/** Every accepted {@code /run} call, in the order they were accepted. */
	public List<RunRequest> runRequests() {
		return store.runRequests();
	}

	/** Every {@code /cancel} call for a known job, in order. */
	public List<CancelRequest> cancelRequests() {
		return store.cancelRequests();
	}

	/** Every webhook attempt so far, in the order the receiver answered them. */
	public List<WebhookDelivery> deliveries() {
		return webhooks.deliveries();
	}

	/** Waits for a webhook attempt that matches, whatever the receiver answered. */
	public WebhookDelivery awaitDelivery(Predicate<WebhookDelivery> condition, Duration timeout) {
		return webhooks.await(condition, timeout);
	}

	/** Waits until the job has this status. */
	public RunpodJob awaitJob(String jobId, JobStatus status, Duration timeout) {
		return store.await(jobId, job -> job.status() == status, status.name(), timeout);
	}

	/** The bytes the worker renders for this job's output, as storage should have received them. */
	public static byte[] rendered(String jobId, String outputName) {
		return Render.of(jobId, outputName);
	}

	@Override
	public void close() {
		server.close();
		scheduler.shutdownNow();
		http.shutdownNow();
	}
}
