package dev.kiln.accounts;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/** Creates the configured first admin, if any, once at start-up. */
@Component
class AdminBootstrap implements ApplicationRunner {

	private final AuthSettings settings;

	private final SignIn signIn;

	AdminBootstrap(AuthSettings settings, SignIn signIn) {
		this.settings = settings;
		this.signIn = signIn;
	}

	@Override
	public void run(ApplicationArguments arguments) {
		AuthSettings.BootstrapAdmin admin = settings.bootstrapAdmin();
		if (admin == null) {
			return;
		}
		signIn.ensureAdmin(EmailAddress.parse(admin.email()), admin.password()).block(); // blocking-ok: once, on the main thread at start-up, before readiness
	}
}
