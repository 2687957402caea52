package dev.kiln.providers.vertex;

import java.util.stream.Stream;

import org.springframework.context.ApplicationContext;

/** For tests outside this package: closes every Vertex route's circuit, so one test's outage is not the next one's. */
public final class VertexCircuits {

	private VertexCircuits() {
	}

	public static void closeAll(ApplicationContext context) {
		RouteGuards guards = context.getBean(RouteGuards.class);
		VertexSettings settings = context.getBean(VertexSettings.class);
		Stream.concat(settings.textRoutes().stream(), settings.imageRoutes().stream())
			.forEach(route -> guards.circuit(route).reset());
	}
}
