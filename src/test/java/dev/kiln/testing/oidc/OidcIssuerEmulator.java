package dev.kiln.testing.oidc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.json.JsonMapper;

/**
 * An OpenID Connect issuer on 127.0.0.1 that signs real tokens with keys made at runtime and serves
 * its discovery document and public JWK Set, like Google or Zitadel. It starts with one RSA 2048 key
 * (RS256); an EC P-256 key (ES256) is made and published the first time a token asks for ES256.
 * Forgeries for negative tests come from the same keys and claims. Thread-safe; the HTTP server runs
 * on its own two threads, never on a caller's event loop.
 */
public final class OidcIssuerEmulator implements AutoCloseable {

	static final String DISCOVERY_PATH = "/.well-known/openid-configuration";

	static final String JWKS_PATH = "/jwks.json";

	private static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

	private static final Base64.Decoder BASE64URL_DECODER = Base64.getUrlDecoder();

	private final HttpServer server;

	private final ExecutorService executor;

	private final Clock clock;

	private final String issuer;

	private final byte[] discovery;

	private final AtomicInteger jwksFetches = new AtomicInteger();

	// Keys change under this object's lock; the server threads only read the volatile serialised set.
	private RSAKey rsaKey = newRsaKey();

	private final List<RSAKey> olderRsaKeys = new ArrayList<>();

	private ECKey ecKey;

	private volatile byte[] jwks;

	private OidcIssuerEmulator(HttpServer server, ExecutorService executor, Clock clock) {
		this.server = server;
		this.executor = executor;
		this.clock = clock;
		this.issuer = "http://127.0.0.1:" + server.getAddress().getPort();
		this.discovery = json(discoveryDocument());
		publishKeys();
	}

	/** Starts on a free port of 127.0.0.1, with the system clock for default times. */
	public static OidcIssuerEmulator start() {
		return start(Clock.systemUTC());
	}

	/** Starts on a free port of 127.0.0.1; {@code clock} gives "now" for default issued-at and expiry. */
	public static OidcIssuerEmulator start(Clock clock) {
		HttpServer server;
		try {
			server = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] { 127, 0, 0, 1 }), 0), 0);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		ExecutorService executor = Executors.newFixedThreadPool(2,
				Thread.ofPlatform().name("oidc-issuer-" + server.getAddress().getPort() + "-", 0).daemon().factory());
		OidcIssuerEmulator emulator = new OidcIssuerEmulator(server, executor, clock);
		server.createContext("/", emulator::handle);
		server.setExecutor(executor);
		server.start();
		return emulator;
	}

	/** {@code http://127.0.0.1:<port>}, without a trailing slash, as it appears in {@code iss}. */
	public String issuer() {
		return issuer;
	}

	public String jwksUri() {
		return issuer + JWKS_PATH;
	}

	public String discoveryUri() {
		return issuer + DISCOVERY_PATH;
	}

	/** How many times the JWK Set was served, for tests of a verifier's key caching. */
	public int jwksFetches() {
		return jwksFetches.get();
	}

	/** The {@code kid} that new RS256 tokens carry. */
	public synchronized String currentKeyId() {
		return rsaKey.getKeyID();
	}

	/** A token signed with the current key for {@code claims.algorithm()}, its {@code kid} in the header. */
	public String issue(Claims claims) {
		JWK key = signingKey(claims.algorithm());
		return sign(claims, claims.algorithm().jws(), key.getKeyID(), signer(key));
	}

	/** {@code alg: none} and an empty signature: {@code base64url(header).base64url(payload).} */
	public String unsigned(Claims claims) {
		Map<String, Object> header = new LinkedHashMap<>();
		header.put("alg", "none");
		if (claims.type() != null) {
			header.put("typ", claims.type());
		}
		return BASE64URL.encodeToString(json(header)) + "." + BASE64URL.encodeToString(json(payload(claims))) + ".";
	}

	/**
	 * Validly signed by a key of the right type that the JWK Set does not hold, under the {@code kid} of
	 * the current key: a verifier must check the signature, not only that the {@code kid} is known.
	 */
	public String signedWithUnknownKey(Claims claims) {
		String kid = signingKey(claims.algorithm()).getKeyID();
		JWK stranger = switch (claims.algorithm()) {
			case RS256 -> generate(() -> new RSAKeyGenerator(2048).keyID(kid).generate());
			case ES256 -> generate(() -> new ECKeyGenerator(Curve.P_256).keyID(kid).generate());
		};
		return sign(claims, claims.algorithm().jws(), kid, signer(stranger));
	}

	/**
	 * {@code token} with one payload claim changed after signing; header and signature are kept. A
	 * null {@code value} removes the claim; an {@link Instant} is written as epoch seconds.
	 */
	public String withTamperedPayload(String token, String claim, Object value) {
		String[] parts = token.split("\\.", -1);
		if (parts.length != 3) {
			throw new IllegalArgumentException("Not a compact JWS: " + parts.length + " parts");
		}
		@SuppressWarnings("unchecked")
		Map<String, Object> payload = JSON.readValue(BASE64URL_DECODER.decode(parts[1]), LinkedHashMap.class);
		putOrRemove(payload, claim, value);
		return parts[0] + "." + BASE64URL.encodeToString(json(payload)) + "." + parts[2];
	}

	/**
	 * Algorithm confusion: {@code alg: HS256}, the current RSA {@code kid}, and an HMAC keyed with the
	 * RSA public key's encoded bytes (X.509 SubjectPublicKeyInfo DER), which anyone can download. A
	 * verifier that lets the token choose its algorithm would accept it.
	 */
	public String hs256WithPublicKey(Claims claims) {
		RSAKey key = (RSAKey) signingKey(SigningAlgorithm.RS256);
		try {
			byte[] publicKey = key.toRSAPublicKey().getEncoded();
			return sign(claims, JWSAlgorithm.HS256, key.getKeyID(), new MACSigner(publicKey));
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Makes a new RSA key current: new RS256 tokens carry its {@code kid}, and the JWK Set publishes it
	 * beside the older ones until {@link #retireOldKeys()}. Returns the new {@code kid}.
	 */
	public synchronized String rotateKey() {
		olderRsaKeys.add(rsaKey);
		rsaKey = newRsaKey();
		publishKeys();
		return rsaKey.getKeyID();
	}

	/** Leaves only the current key of each algorithm in the JWK Set. */
	public synchronized void retireOldKeys() {
		olderRsaKeys.clear();
		publishKeys();
	}

	@Override
	public void close() {
		server.stop(0);
		executor.shutdownNow();
	}

	private void handle(HttpExchange exchange) throws IOException {
		try (exchange) {
			String path = exchange.getRequestURI().getPath();
			boolean get = "GET".equals(exchange.getRequestMethod());
			if (get && DISCOVERY_PATH.equals(path)) {
				respond(exchange, discovery);
			}
			else if (get && JWKS_PATH.equals(path)) {
				jwksFetches.incrementAndGet();
				respond(exchange, jwks);
			}
			else {
				exchange.sendResponseHeaders(404, -1);
			}
		}
	}

	private static void respond(HttpExchange exchange, byte[] body) throws IOException {
		exchange.getResponseHeaders().set("Content-Type", "application/json");
		exchange.sendResponseHeaders(200, body.length);
		exchange.getResponseBody().write(body);
	}

	private Map<String, Object> discoveryDocument() {
		Map<String, Object> document = new LinkedHashMap<>();
		document.put("issuer", issuer);
		// Required by OpenID Connect Discovery, but no test runs a login flow: these two paths answer 404.
		document.put("authorization_endpoint", issuer + "/authorize");
		document.put("token_endpoint", issuer + "/token");
		document.put("jwks_uri", jwksUri());
		document.put("response_types_supported", List.of("code", "id_token", "id_token token"));
		document.put("subject_types_supported", List.of("public"));
		document.put("id_token_signing_alg_values_supported", List.of("RS256", "ES256"));
		document.put("scopes_supported", List.of("openid", "email", "profile"));
		document.put("claims_supported", List.of("iss", "sub", "aud", "iat", "exp", "email", "email_verified", "name"));
		return document;
	}

	private synchronized JWK signingKey(SigningAlgorithm algorithm) {
		return switch (algorithm) {
			case RS256 -> rsaKey;
			case ES256 -> {
				if (ecKey == null) {
					ecKey = generate(() -> new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE)
						.algorithm(JWSAlgorithm.ES256)
						.keyIDFromThumbprint(true)
						.generate());
					publishKeys();
				}
				yield ecKey;
			}
		};
	}

	// Called with the lock held (or from the constructor).
	private void publishKeys() {
		List<JWK> keys = new ArrayList<>();
		keys.add(rsaKey);
		keys.addAll(olderRsaKeys.reversed());
		if (ecKey != null) {
			keys.add(ecKey);
		}
		jwks = new JWKSet(keys).toString(true).getBytes(StandardCharsets.UTF_8);
	}

	private String sign(Claims claims, JWSAlgorithm algorithm, String kid, JWSSigner signer) {
		JWSHeader.Builder header = new JWSHeader.Builder(algorithm).keyID(kid);
		if (claims.type() != null) {
			header.type(new JOSEObjectType(claims.type()));
		}
		JWSObject jws = new JWSObject(header.build(), new Payload(json(payload(claims))));
		try {
			jws.sign(signer);
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
		return jws.serialize();
	}

	private Map<String, Object> payload(Claims claims) {
		Instant issuedAt = claims.issuedAt() != null ? claims.issuedAt() : defaultIssuedAt(claims.expiresAt());
		Instant expiresAt = claims.expiresAt() != null ? claims.expiresAt() : issuedAt.plus(DEFAULT_LIFETIME);
		Map<String, Object> payload = new LinkedHashMap<>();
		payload.put("iss", claims.issuer() != null ? claims.issuer() : issuer);
		putOrRemove(payload, "sub", claims.subject());
		if (claims.audience().size() == 1) {
			payload.put("aud", claims.audience().getFirst());
		}
		else if (!claims.audience().isEmpty()) {
			payload.put("aud", claims.audience());
		}
		payload.put("iat", issuedAt.getEpochSecond());
		payload.put("exp", expiresAt.getEpochSecond());
		putOrRemove(payload, "email", claims.email());
		putOrRemove(payload, "email_verified", claims.emailVerified());
		putOrRemove(payload, "name", claims.name());
		claims.extra().forEach((claim, value) -> putOrRemove(payload, claim, value));
		return payload;
	}

	// Real issuers never write iat after exp (Spring's Jwt refuses such a token before checking expiry),
	// so an expiry already past moves the default issued-at back by one lifetime.
	private Instant defaultIssuedAt(Instant expiresAt) {
		Instant now = clock.instant();
		return expiresAt != null && expiresAt.isBefore(now) ? expiresAt.minus(DEFAULT_LIFETIME) : now;
	}

	private static void putOrRemove(Map<String, Object> payload, String claim, Object value) {
		if (value == null) {
			payload.remove(claim);
		}
		else {
			payload.put(claim, value instanceof Instant instant ? instant.getEpochSecond() : value);
		}
	}

	private static JWSSigner signer(JWK key) {
		try {
			return key instanceof ECKey ec ? new ECDSASigner(ec) : new RSASSASigner(key.toRSAKey());
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static RSAKey newRsaKey() {
		return generate(() -> new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE)
			.algorithm(JWSAlgorithm.RS256)
			.keyIDFromThumbprint(true)
			.generate());
	}

	private static <K extends JWK> K generate(KeyGeneration<K> generation) {
		try {
			return generation.generate();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static byte[] json(Object value) {
		return JSON.writeValueAsBytes(value);
	}

	@FunctionalInterface
	private interface KeyGeneration<K extends JWK> {

		K generate() throws JOSEException;
	}
}
