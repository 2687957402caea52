package dev.kiln.platform.security;

import java.util.Locale;

public enum Role {

	USER, ADMIN;

	public String code() {
		return name().toLowerCase(Locale.ROOT);
	}

	public static Role fromCode(String code) {
		return valueOf(code.toUpperCase(Locale.ROOT));
	}
}
