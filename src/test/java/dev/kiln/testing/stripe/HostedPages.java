package dev.kiln.testing.stripe;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;

/**
 * The pages a browser sees: Checkout's payment page at the session's {@code url} (a POST to it pays,
 * then redirects to {@code success_url} with {@code {CHECKOUT_SESSION_ID}} filled in), the billing
 * portal at a portal session's {@code url}, and a hosted invoice. No API key is needed, as on Stripe.
 */
final class HostedPages {

	private final StripeStore store;

	private final Checkout checkout;

	HostedPages(StripeStore store, Checkout checkout) {
		this.store = store;
		this.checkout = checkout;
	}

	void handle(HttpExchange exchange) throws IOException {
		String[] path = exchange.getRequestURI().getPath().split("/");
		String method = exchange.getRequestMethod();
		if (path.length == 4 && "c".equals(path[1]) && "pay".equals(path[2])) {
			if ("POST".equals(method)) {
				pay(exchange, path[3]);
			}
			else {
				html(exchange, 200, store.atomically(() -> checkoutPage(path[3])));
			}
		}
		else if (path.length == 4 && "p".equals(path[1]) && "session".equals(path[2])) {
			html(exchange, 200, store.atomically(() -> portalPage(path[3])));
		}
		else if (path.length == 3 && "i".equals(path[1])) {
			html(exchange, 200, store.atomically(() -> invoicePage(path[2])));
		}
		else {
			html(exchange, 404, page("Not found", "<p>Nothing is served here.</p>"));
		}
	}

	private void pay(HttpExchange exchange, String sessionId) throws IOException {
		String successUrl;
		try {
			successUrl = store.atomically(() -> {
				checkout.pay(sessionId, false);
				return (String) store.require("checkout.session", sessionId).get("success_url");
			});
		}
		catch (IllegalArgumentException | IllegalStateException ex) {
			html(exchange, 400, page("Checkout", "<p>" + escape(ex.getMessage()) + "</p>"));
			return;
		}
		if (successUrl == null) {
			html(exchange, 200, page("Payment complete", "<p>Thanks for your payment.</p>"));
			return;
		}
		exchange.getResponseHeaders().set("Location", successUrl.replace("{CHECKOUT_SESSION_ID}", sessionId));
		exchange.sendResponseHeaders(303, -1);
	}

	private String checkoutPage(String sessionId) {
		Map<String, Object> session;
		try {
			session = store.require("checkout.session", sessionId);
		}
		catch (IllegalArgumentException ex) {
			return page("Checkout", "<p>Something went wrong: this Checkout Session does not exist.</p>");
		}
		if (!"open".equals(session.get("status"))) {
			return page("Checkout", "<p>This Checkout Session is " + escape((String) session.get("status"))
					+ " and can no longer be paid.</p>");
		}
		StringBuilder items = new StringBuilder("<ul>");
		for (Map<String, Object> item : checkout.lineItemsOf(sessionId)) {
			items.append("<li>").append(item.get("quantity")).append(" × ").append(escape((String) item.get("description")))
				.append(" — ")
				.append(Money.format(((Number) item.get("amount_total")).longValue(), (String) item.get("currency")))
				.append("</li>");
		}
		items.append("</ul>");
		String total = Money.format(((Number) session.get("amount_total")).longValue(), (String) session.get("currency"));
		String cancel = session.get("cancel_url") == null ? ""
				: "<p><a href=\"" + escape((String) session.get("cancel_url")) + "\">Cancel</a></p>";
		return page("Checkout", items + "<p>Total due: <strong id=\"total\">" + escape(total) + "</strong>"
				+ ("subscription".equals(session.get("mode")) ? " per period" : "") + "</p>"
				+ "<form method=\"post\"><button type=\"submit\" id=\"pay\">Pay " + escape(total) + "</button></form>"
				+ cancel);
	}

	private String portalPage(String portalSessionId) {
		Map<String, Object> portal;
		try {
			portal = store.require("billing_portal.session", portalSessionId);
		}
		catch (IllegalArgumentException ex) {
			return page("Billing portal", "<p>This portal session does not exist.</p>");
		}
		String customer = (String) portal.get("customer");
		StringBuilder list = new StringBuilder("<ul>");
		List<Map<String, Object>> subscriptions = store.newestFirst("subscription")
			.stream()
			.filter(sub -> customer.equals(sub.get("customer")))
			.toList();
		for (Map<String, Object> subscription : subscriptions) {
			list.append("<li>").append(escape((String) subscription.get("id"))).append(": ")
				.append(escape((String) subscription.get("status"))).append("</li>");
		}
		list.append("</ul>");
		String back = portal.get("return_url") == null ? ""
				: "<p><a href=\"" + escape((String) portal.get("return_url")) + "\">Return</a></p>";
		return page("Billing portal", "<p>Customer " + escape(customer) + "</p>" + list + back);
	}

	private String invoicePage(String invoiceId) {
		try {
			Map<String, Object> invoice = store.require("invoice", invoiceId);
			return page("Invoice " + invoice.get("number"), "<p>Status: " + escape((String) invoice.get("status"))
					+ "</p><p>Total: " + escape(Money.format(((Number) invoice.get("total")).longValue(),
							(String) invoice.get("currency")))
					+ "</p>");
		}
		catch (IllegalArgumentException ex) {
			return page("Invoice", "<p>This invoice does not exist.</p>");
		}
	}

	private static String page(String title, String body) {
		return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title)
				+ " · Stripe emulator</title></head><body><h1>" + escape(title) + "</h1>" + body + "</body></html>";
	}

	private static void html(HttpExchange exchange, int status, String html) throws IOException {
		byte[] body = html.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
		exchange.sendResponseHeaders(status, body.length);
		exchange.getResponseBody().write(body);
	}

	private static String escape(String text) {
		if (text == null) {
			return "";
		}
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
			.replace("'", "&#39;");
	}
}
