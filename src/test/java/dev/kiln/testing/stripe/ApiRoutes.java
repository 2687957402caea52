package dev.kiln.testing.stripe;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.gson.annotations.SerializedName;
import com.stripe.net.ApiRequestParams;
import com.stripe.param.ChargeRetrieveParams;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.CustomerRetrieveParams;
import com.stripe.param.DisputeRetrieveParams;
import com.stripe.param.EventListParams;
import com.stripe.param.EventRetrieveParams;
import com.stripe.param.InvoiceListParams;
import com.stripe.param.InvoicePaymentListParams;
import com.stripe.param.InvoiceRetrieveParams;
import com.stripe.param.PaymentIntentRetrieveParams;
import com.stripe.param.PriceCreateParams;
import com.stripe.param.PriceRetrieveParams;
import com.stripe.param.ProductCreateParams;
import com.stripe.param.ProductRetrieveParams;
import com.stripe.param.RefundCreateParams;
import com.stripe.param.RefundRetrieveParams;
import com.stripe.param.SubscriptionCancelParams;
import com.stripe.param.SubscriptionListParams;
import com.stripe.param.SubscriptionRetrieveParams;
import com.stripe.param.checkout.SessionCreateParams;
import com.stripe.param.checkout.SessionExpireParams;
import com.stripe.param.checkout.SessionListLineItemsParams;
import com.stripe.param.checkout.SessionListParams;
import com.stripe.param.checkout.SessionRetrieveParams;

/**
 * The {@code /v1} endpoints. Each names the stripe-java parameters class of its operation: a top-level
 * parameter that class does not know is refused with {@code parameter_unknown}, as Stripe refuses it;
 * one it knows but the emulator does not model is accepted and ignored.
 */
final class ApiRoutes {

	@FunctionalInterface
	interface Handler {

		Map<String, Object> handle(List<String> ids, Params params, Origin origin);
	}

	record Route(String method, Pattern path, Set<String> knownParams, Handler handler) {
	}

	record Match(Route route, List<String> ids) {
	}

	private final List<Route> routes = new ArrayList<>();

	private final StripeStore store;

	ApiRoutes(StripeStore store, Catalog catalog, Checkout checkout, Billing billing, Payments payments) {
		this.store = store;
		route("POST", "/v1/customers", CustomerCreateParams.class,
				(ids, p, origin) -> expanded(catalog.createCustomer(p, origin), p));
		route("GET", "/v1/customers/{id}", CustomerRetrieveParams.class, (ids, p, o) -> get("customer", ids, p));
		route("POST", "/v1/products", ProductCreateParams.class,
				(ids, p, origin) -> expanded(catalog.createProduct(p, origin), p));
		route("GET", "/v1/products/{id}", ProductRetrieveParams.class, (ids, p, o) -> get("product", ids, p));
		route("POST", "/v1/prices", PriceCreateParams.class,
				(ids, p, origin) -> expanded(catalog.createPrice(p, origin), p));
		route("GET", "/v1/prices/{id}", PriceRetrieveParams.class, (ids, p, o) -> get("price", ids, p));
		route("POST", "/v1/checkout/sessions", SessionCreateParams.class,
				(ids, p, origin) -> checkout.create(p, origin));
		route("GET", "/v1/checkout/sessions", SessionListParams.class, (ids, p, o) -> checkout.list(p));
		route("GET", "/v1/checkout/sessions/{id}", SessionRetrieveParams.class,
				(ids, p, o) -> checkout.retrieve(ids.getFirst(), p.strings("expand")));
		route("POST", "/v1/checkout/sessions/{id}/expire", SessionExpireParams.class,
				(ids, p, origin) -> expanded(checkout.expire(ids.getFirst(), origin), p));
		route("GET", "/v1/checkout/sessions/{id}/line_items", SessionListLineItemsParams.class,
				(ids, p, o) -> checkout.lineItems(ids.getFirst(), p));
		route("POST", "/v1/billing_portal/sessions", com.stripe.param.billingportal.SessionCreateParams.class,
				(ids, p, origin) -> expanded(checkout.createPortalSession(p, origin), p));
		route("GET", "/v1/events", EventListParams.class, (ids, p, o) -> events(p));
		route("GET", "/v1/events/{id}", EventRetrieveParams.class, (ids, p, o) -> get("event", ids, p));
		route("GET", "/v1/subscriptions", SubscriptionListParams.class,
				(ids, p, o) -> store.expand(billing.listSubscriptions(p), p.strings("expand")));
		route("GET", "/v1/subscriptions/{id}", SubscriptionRetrieveParams.class,
				(ids, p, o) -> get("subscription", ids, p));
		route("DELETE", "/v1/subscriptions/{id}", SubscriptionCancelParams.class,
				(ids, p, origin) -> expanded(billing.cancel(ids.getFirst(), p, origin), p));
		route("GET", "/v1/invoices", InvoiceListParams.class,
				(ids, p, o) -> store.expand(billing.listInvoices(p), p.strings("expand")));
		route("GET", "/v1/invoices/{id}", InvoiceRetrieveParams.class,
				(ids, p, o) -> billing.invoice(ids.getFirst(), p.strings("expand")));
		route("GET", "/v1/invoice_payments", InvoicePaymentListParams.class,
				(ids, p, o) -> store.expand(billing.listInvoicePayments(p), p.strings("expand")));
		route("GET", "/v1/payment_intents/{id}", PaymentIntentRetrieveParams.class,
				(ids, p, o) -> get("payment_intent", ids, p));
		route("GET", "/v1/charges/{id}", ChargeRetrieveParams.class, (ids, p, o) -> get("charge", ids, p));
		route("POST", "/v1/refunds", RefundCreateParams.class,
				(ids, p, origin) -> expanded(payments.createRefund(p, origin), p));
		route("GET", "/v1/refunds/{id}", RefundRetrieveParams.class, (ids, p, o) -> get("refund", ids, p));
		route("GET", "/v1/disputes/{id}", DisputeRetrieveParams.class, (ids, p, o) -> get("dispute", ids, p));
	}

	/** The route for this request, or null: Stripe answers an unknown path or method alike, with 404. */
	Match match(String method, String path) {
		for (Route route : routes) {
			Matcher matcher = route.path().matcher(path);
			if (route.method().equals(method) && matcher.matches()) {
				List<String> ids = new ArrayList<>();
				for (int group = 1; group <= matcher.groupCount(); group++) {
					ids.add(matcher.group(group));
				}
				return new Match(route, ids);
			}
		}
		return null;
	}

	static void rejectUnknown(Route route, Params params) {
		for (String key : params.keys()) {
			if (!route.knownParams().contains(key)) {
				throw StripeApiException.invalid("parameter_unknown", key, "Received unknown parameter: " + key);
			}
		}
	}

	private Map<String, Object> get(String objectType, List<String> ids, Params params) {
		return store.expand(store.get(objectType, ids.getFirst(), "id"), params.strings("expand"));
	}

	private Map<String, Object> expanded(Map<String, Object> object, Params params) {
		return store.expand(object, params.strings("expand"));
	}

	// type takes * as a wildcard ("invoice.*"); types is an exact list of up to 20 names.
	private Map<String, Object> events(Params params) {
		String type = params.nonEmptyString("type");
		List<String> types = params.strings("types");
		if (type != null && !types.isEmpty()) {
			throw StripeApiException.invalid(null, "types", "You may pass either `type` or `types`, but not both.");
		}
		if (types.size() > 20) {
			throw StripeApiException.invalid(null, "types", "You may pass up to 20 values for `types`.");
		}
		Predicate<String> typeMatches = type != null ? wildcard(type).asMatchPredicate()
				: types.isEmpty() ? t -> true : new HashSet<>(types)::contains;
		var created = StripeStore.created(params);
		return store.expand(store.page("/v1/events", store.newestFirst("event").stream()
			.filter(event -> typeMatches.test((String) event.get("type")))
			.filter(event -> created.test(StripeStore.created(event)))
			.toList(), params), params.strings("expand"));
	}

	private static Pattern wildcard(String type) {
		StringBuilder regex = new StringBuilder();
		for (String part : type.split("\\*", -1)) {
			if (!regex.isEmpty()) {
				regex.append(".*");
			}
			regex.append(Pattern.quote(part));
		}
		return Pattern.compile(regex.toString());
	}

	private void route(String method, String path, Class<? extends ApiRequestParams> paramsClass, Handler handler) {
		Pattern pattern = Pattern.compile(path.replace("{id}", "([^/]+)"));
		routes.add(new Route(method, pattern, knownParams(paramsClass), handler));
	}

	private static Set<String> knownParams(Class<?> paramsClass) {
		Set<String> names = new HashSet<>();
		for (Field field : paramsClass.getDeclaredFields()) {
			SerializedName name = field.getAnnotation(SerializedName.class);
			if (name != null && !ApiRequestParams.EXTRA_PARAMS_KEY.equals(name.value())) {
				names.add(name.value());
			}
		}
		return Set.copyOf(names);
	}
}
