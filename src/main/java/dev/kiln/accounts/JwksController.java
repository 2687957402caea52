package dev.kiln.accounts;

import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Kiln's public token keys, for services that verify Kiln's access tokens themselves. */
@RestController
class JwksController {

	private final SigningKeys keys;

	JwksController(SigningKeys keys) {
		this.keys = keys;
	}

	@GetMapping("/.well-known/jwks.json")
	Map<String, Object> jwks() {
		return keys.publicKeys().toJSONObject(true);
	}
}
