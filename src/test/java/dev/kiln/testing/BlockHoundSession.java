package dev.kiln.testing;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import reactor.blockhound.BlockHound;

/**
 * Installs BlockHound before any test runs, so that a blocking call on a non-blocking thread (Netty's
 * event loops, Reactor's parallel scheduler) fails the test that made it. Registered through
 * {@code META-INF/services}; needs {@code -XX:+AllowRedefinitionToAddDeleteMethods} on JDK 25.
 */
public class BlockHoundSession implements LauncherSessionListener {

	@Override
	public void launcherSessionOpened(LauncherSession session) {
		BlockHound.install(new KilnBlockHoundIntegration());
	}
}
