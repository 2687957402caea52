package dev.kiln.accounts;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import dev.kiln.accounts.crypto.PersonalDataCipher;
import dev.kiln.platform.web.InvalidField;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** The operator's view of users (admin role, interactive sign-in only). */
@RestController
@RequestMapping("/admin/users")
class AdminUsersController {

	private static final Logger log = LoggerFactory.getLogger(AdminUsersController.class);

	private final Users users;

	private final PersonalDataCipher cipher;

	AdminUsersController(Users users, PersonalDataCipher cipher) {
		this.users = users;
		this.cipher = cipher;
	}

	@GetMapping
	Mono<UserPage> list(@RequestParam(required = false) @Nullable String cursor,
			@RequestParam(defaultValue = "50") int limit) {
		if (limit < 1 || limit > 200) {
			throw new InvalidField("limit", "must be between 1 and 200");
		}
		Position after = cursor == null ? null : Position.decode(cursor);
		return users.page(after == null ? null : after.createdAt(), after == null ? null : after.id(), limit + 1)
			.map(this::view)
			.collectList()
			.map(found -> found.size() <= limit ? new UserPage(found, null)
					: new UserPage(found.subList(0, limit),
							new Position(found.get(limit - 1).createdAt(), found.get(limit - 1).id()).encode()));
	}

	@PutMapping("/{id}/status")
	Mono<AdminUser> setStatus(@PathVariable UUID id, @Valid @RequestBody StatusChange change) {
		return users.setStatus(id, change.status())
			.switchIfEmpty(Mono.error(() -> new ResponseStatusException(HttpStatus.NOT_FOUND)))
			.doOnNext(user -> log.info("user {} is now {}", id, change.status()))
			.map(this::view);
	}

	private AdminUser view(UserRecord user) {
		return new AdminUser(user.id(), user.emailSealed() == null ? null : cipher.decrypt(user.emailSealed(), user.id()),
				user.role().code(), user.status(), user.createdAt());
	}

	record StatusChange(@NotNull(message = "must be 'active' or 'suspended'")
			@Pattern(regexp = "active|suspended", message = "must be 'active' or 'suspended'") String status) {
	}

	record AdminUser(UUID id, @Nullable String email, String role, String status, Instant createdAt) {

		@Override
		public String toString() {
			return "AdminUser[id=" + id + ", role=" + role + ", status=" + status + "]";
		}
	}

	record UserPage(List<AdminUser> users, @Nullable String nextCursor) {

		@Override
		public String toString() {
			return "UserPage[" + users.size() + " users]";
		}
	}

	private record Position(Instant createdAt, UUID id) {

		String encode() {
			return Base64.getUrlEncoder().withoutPadding()
				.encodeToString(("users:" + createdAt + "|" + id).getBytes(StandardCharsets.US_ASCII));
		}

		private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

		static Position decode(String cursor) {
			try {
				String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
				String[] parts = text.substring("users:".length()).split("\\|");
				if (!text.startsWith("users:") || parts.length != 2) {
					throw new IllegalArgumentException("not a user cursor");
				}
				Instant createdAt = Instant.parse(parts[0]);
				// ISO instants reach years PostgreSQL refuses: a forged one must be a 400, not a failed query
				if (createdAt.isBefore(Instant.EPOCH) || createdAt.isAfter(LATEST)) {
					throw new IllegalArgumentException("position out of range");
				}
				return new Position(createdAt, UUID.fromString(parts[1]));
			}
			catch (RuntimeException ex) {
				throw new InvalidField("cursor", "is not a cursor this API issued");
			}
		}
	}
}
