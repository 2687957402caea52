package dev.kiln.platform;

import io.r2dbc.spi.R2dbcException;
import org.jspecify.annotations.Nullable;

/** PostgreSQL's errors by SQLSTATE, wherever in a failure's causes (Spring wraps the driver's exception). */
public final class SqlErrors {

	private SqlErrors() {
	}

	/** The driver's exception with {@code sqlState} among {@code error}'s causes, or null. */
	public static @Nullable R2dbcException withState(Throwable error, String sqlState) {
		for (Throwable cause = error; cause != null; cause = cause.getCause()) {
			if (cause instanceof R2dbcException r2dbc && sqlState.equals(r2dbc.getSqlState())) {
				return r2dbc;
			}
		}
		return null;
	}
}
