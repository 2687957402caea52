package dev.kiln.credits;

import dev.kiln.platform.SqlErrors;
import io.r2dbc.spi.R2dbcException;
import org.jspecify.annotations.Nullable;

/** Recognises the ledger functions' refusals of arguments no caller should send (SQLSTATE 22023). */
final class LedgerErrors {

	private static final String INVALID_PARAMETER_VALUE = "22023";

	private LedgerErrors() {
	}

	static boolean isInvalidArgument(Throwable error) {
		return invalidParameter(error) != null;
	}

	static IllegalArgumentException asIllegalArgument(Throwable error) {
		R2dbcException cause = invalidParameter(error);
		return new IllegalArgumentException(cause == null ? error.getMessage() : cause.getMessage(), error);
	}

	private static @Nullable R2dbcException invalidParameter(Throwable error) {
		return SqlErrors.withState(error, INVALID_PARAMETER_VALUE);
	}
}
