package dev.kiln.accounts;

import dev.kiln.platform.security.KilnPrincipal;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /v1/stream-tickets}: a ticket for one event stream, to pass as {@code ?ticket=} where a
 * header cannot be sent ({@code new EventSource(url + "?ticket=" + ticket)}).
 */
@RestController
class StreamTicketsController {

	private final StreamTickets tickets;

	StreamTicketsController(StreamTickets tickets) {
		this.tickets = tickets;
	}

	@PostMapping("/v1/stream-tickets")
	@ResponseStatus(HttpStatus.CREATED)
	Mono<StreamTickets.Ticket> issue(@AuthenticationPrincipal KilnPrincipal caller) {
		return tickets.issue(caller);
	}
}
