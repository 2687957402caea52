package dev.kiln.accounts;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A normalised email: Unicode NFKC, trimmed, lower-cased, so that one mailbox has one account whatever
 * the caller's spelling. Only the shape is checked; whether the mailbox exists is not Kiln's to know.
 */
record EmailAddress(String value) {

	private static final Pattern SHAPE = Pattern.compile("[^@\\s\\p{Cntrl}]{1,64}@[^@\\s\\p{Cntrl}]+\\.[^@\\s\\p{Cntrl}]{2,}");

	static EmailAddress parse(String raw) {
		String normalised = Normalizer.normalize(raw.strip(), Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
		if (normalised.length() > 254 || !SHAPE.matcher(normalised).matches()) {
			throw new IllegalArgumentException("is not an email address");
		}
		return new EmailAddress(normalised);
	}

	@Override
	public String toString() {
		return "EmailAddress[<redacted>]";
	}
}
