package dev.kiln.payments;

import java.time.ZoneOffset;
import java.util.UUID;

import dev.kiln.platform.web.PageCursor;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

/** Reading purchases across users, for the operator. */
@Repository
class Purchases {

	private final DatabaseClient db;

	Purchases(DatabaseClient db) {
		this.db = db;
	}

	/** Payments newest first after {@code after}; null filters match everything. */
	Flux<Purchase> page(@Nullable UUID user, @Nullable String status, @Nullable PageCursor after, int limit) {
		String sql = "select * from payment_transactions where true"
				+ (user == null ? "" : " and user_id = :user")
				+ (status == null ? "" : " and status = :status")
				+ (after == null ? "" : " and (created_at, id) < (:at, :id)")
				+ " order by created_at desc, id desc limit :limit";
		DatabaseClient.GenericExecuteSpec spec = db.sql(sql).bind("limit", limit);
		if (user != null) {
			spec = spec.bind("user", user);
		}
		if (status != null) {
			spec = spec.bind("status", status);
		}
		if (after != null) {
			spec = spec.bind("at", after.createdAt().atOffset(ZoneOffset.UTC)).bind("id", after.id());
		}
		return spec.map(Purchase::read).all();
	}
}
