"""A small local stand-in for the Stripe API, speaking its wire format, plus webhook signing.

The real stripe SDK is pointed at it through STRIPE_API_BASE: it sends form-encoded bodies with
bracketed keys (`line_items[0][price_data][unit_amount]=1000`), a Bearer secret key and an
Idempotency-Key header, and gets Stripe-shaped JSON objects (or Stripe error bodies) back.
Webhook payloads are signed exactly as Stripe signs them: `Stripe-Signature: t=<unix>,v1=<hex>`
where v1 = HMAC-SHA256(secret, f"{t}.{body}").

Use from any test package:
    from tests.billing.stripe_server import StripeServer, stripe_server, stripe_settings  # fixtures
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest

API_KEY = "sk_test_adgen_local"
WEBHOOK_SECRET = "whsec_adgen_local_test_secret"


def _new_id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


def form_decode(body: str) -> dict:
    """Stripe's form encoding -> nested dicts/lists: a[b][0][c]=v -> {"a": {"b": [{"c": "v"}]}}."""
    root: dict = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            nxt_is_index = not last and parts[i + 1].isdigit()
            if isinstance(node, list):
                index = int(part)
                while len(node) <= index:
                    node.append(None)
                if last:
                    node[index] = value
                else:
                    if node[index] is None:
                        node[index] = [] if nxt_is_index else {}
                    node = node[index]
            else:
                if last:
                    node[part] = value
                else:
                    node = node.setdefault(part, [] if nxt_is_index else {})
    return root


def sign_payload(payload: bytes | str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header Stripe would send for this exact body."""
    if isinstance(payload, bytes):
        payload = payload.decode()
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event_payload(event_type: str, obj: dict, *, event_id: str | None = None) -> bytes:
    """A webhook body as Stripe sends it (an `event` object wrapping the snapshot)."""
    event = {
        "id": event_id or _new_id("evt"),
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": int(time.time()),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }
    return json.dumps(event, indent=2).encode()  # Stripe pretty-prints; signatures cover the exact bytes


def webhook_post(client, payload: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None,
                 signature: str | None = None, path: str = "/api/v1/billing/stripe/webhook/"):
    """POST a signed webhook body to the app through a Django test client."""
    header = signature if signature is not None else sign_payload(payload, secret, timestamp)
    return client.post(path, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)


class StripeServer:
    """Checkout Sessions, Customers and billing-portal Sessions, kept in memory."""

    def __init__(self, api_key: str = API_KEY):
        self.api_key = api_key
        self.lock = threading.Lock()
        self.sessions: dict[str, dict] = {}
        self.customers: dict[str, dict] = {}
        self.portal_sessions: dict[str, dict] = {}
        self.requests: list[dict] = []
        self._idempotent: dict[str, tuple[int, dict]] = {}
        handler = type("Handler", (_Handler,), {"stripe": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self) -> "StripeServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # ---------------------------------------------------------------- what a customer does

    def pay(self, session_id: str, *, async_method: bool = False) -> dict:
        """The customer completes Checkout: returns the session as Stripe now reports it.

        With an asynchronous method (bank debit) the session completes `unpaid` first; call
        `settle_async` for the later success."""
        with self.lock:
            session = self.sessions[session_id]
            session["status"] = "complete"
            if session["mode"] == "payment":
                session["payment_intent"] = session["payment_intent"] or _new_id("pi")
                session["payment_status"] = "unpaid" if async_method else "paid"
            else:
                session["subscription"] = session["subscription"] or _new_id("sub")
                session["payment_status"] = "paid"
            if not session["customer"]:
                customer = self._customer_create({"email": session.get("customer_email")})
                session["customer"] = customer["id"]
            return json.loads(json.dumps(session))

    def settle_async(self, session_id: str) -> dict:
        with self.lock:
            self.sessions[session_id]["payment_status"] = "paid"
            return json.loads(json.dumps(self.sessions[session_id]))

    def charge(self, session_id: str, *, amount_refunded: int = 0) -> dict:
        """The Charge behind a paid session, as charge.refunded would carry it."""
        session = self.sessions[session_id]
        return {"id": "ch_" + session["payment_intent"][3:], "object": "charge", "amount": session["amount_total"],
                "amount_refunded": amount_refunded, "currency": session["currency"], "customer": session["customer"],
                "payment_intent": session["payment_intent"], "refunded": amount_refunded >= session["amount_total"],
                "paid": True, "status": "succeeded"}

    def dispute(self, session_id: str) -> dict:
        session = self.sessions[session_id]
        return {"id": _new_id("dp"), "object": "dispute", "amount": session["amount_total"],
                "charge": "ch_" + session["payment_intent"][3:], "currency": session["currency"],
                "payment_intent": session["payment_intent"], "reason": "fraudulent", "status": "needs_response"}

    def invoice(self, session_id: str) -> dict:
        """A paid invoice of a subscription started by this session (newer API shape: parent)."""
        session = self.sessions[session_id]
        return {"id": _new_id("in"), "object": "invoice", "customer": session["customer"], "status": "paid",
                "amount_paid": session["amount_total"], "currency": session["currency"],
                "billing_reason": "subscription_cycle",
                "parent": {"type": "subscription_details", "quote_details": None,
                           "subscription_details": {"subscription": session["subscription"],
                                                    "metadata": session.get("subscription_metadata", {})}}}

    # ---------------------------------------------------------------- API objects

    def _customer_create(self, params: dict) -> dict:
        customer = {"id": _new_id("cus"), "object": "customer", "created": int(time.time()),
                    "email": params.get("email"), "name": params.get("name"),
                    "metadata": params.get("metadata") or {}, "livemode": False}
        self.customers[customer["id"]] = customer
        return customer

    def _session_create(self, params: dict) -> tuple[int, dict]:
        mode = params.get("mode")
        if mode not in ("payment", "subscription", "setup"):
            return 400, _error("Missing required param: mode.", param="mode")
        if not params.get("line_items"):
            return 400, _error("Missing required param: line_items.", param="line_items")
        if params.get("customer") and params["customer"] not in self.customers:
            return 400, _error(f"No such customer: '{params['customer']}'", param="customer", code="resource_missing")
        amount_total, currency = 0, None
        for item in params["line_items"]:
            price = item.get("price_data")
            if price is None:
                return 400, _error("This stand-in supports price_data line items only.", param="line_items")
            if mode == "subscription" and not price.get("recurring"):
                return 400, _error("Subscription mode needs a recurring price.", param="line_items")
            amount_total += int(price["unit_amount"]) * int(item.get("quantity", 1))
            currency = price["currency"]
        session_id = _new_id("cs")
        session = {
            "id": session_id, "object": "checkout.session", "mode": mode, "status": "open",
            "payment_status": "unpaid", "amount_total": amount_total, "amount_subtotal": amount_total,
            "currency": currency, "client_reference_id": params.get("client_reference_id"),
            "customer": params.get("customer"), "customer_creation": params.get("customer_creation"),
            "customer_email": params.get("customer_email"), "metadata": params.get("metadata") or {},
            "payment_intent": None, "subscription": None, "success_url": params.get("success_url"),
            "cancel_url": params.get("cancel_url"), "created": int(time.time()),
            "expires_at": int(time.time()) + 86400, "livemode": False,
            "url": f"{self.url}/c/pay/{session_id}",
            "subscription_metadata": (params.get("subscription_data") or {}).get("metadata") or {},
        }
        self.sessions[session_id] = session
        return 200, {k: v for k, v in session.items() if k != "subscription_metadata"}

    def _portal_create(self, params: dict) -> tuple[int, dict]:
        customer = params.get("customer")
        if customer not in self.customers:
            return 400, _error(f"No such customer: '{customer}'", param="customer", code="resource_missing")
        portal = {"id": _new_id("bps"), "object": "billing_portal.session", "customer": customer,
                  "return_url": params.get("return_url"), "created": int(time.time()), "livemode": False,
                  "url": f"{self.url}/p/session/{secrets.token_hex(8)}"}
        self.portal_sessions[portal["id"]] = portal
        return 200, portal

    def handle(self, method: str, path: str, params: dict, headers: dict) -> tuple[int, dict]:
        self.requests.append({"method": method, "path": path, "params": params, "headers": headers})
        if headers.get("authorization") != f"Bearer {self.api_key}":
            return 401, _error("Invalid API Key provided.", type_="invalid_request_error")
        key = headers.get("idempotency-key")
        if method == "POST" and key and key in self._idempotent:
            return self._idempotent[key]
        with self.lock:
            if method == "POST" and path == "/v1/checkout/sessions":
                result = self._session_create(params)
            elif method == "GET" and path.startswith("/v1/checkout/sessions/"):
                session = self.sessions.get(path.rsplit("/", 1)[1])
                result = (200, session) if session else (404, _error("No such checkout.session", code="resource_missing"))
            elif method == "POST" and path == "/v1/customers":
                result = 200, self._customer_create(params)
            elif method == "POST" and path == "/v1/billing_portal/sessions":
                result = self._portal_create(params)
            else:
                result = 404, _error(f"Unrecognized request URL ({method}: {path}).")
            if method == "POST" and key:
                self._idempotent[key] = result
        return result


def _error(message: str, *, type_: str = "invalid_request_error", param: str | None = None,
           code: str | None = None) -> dict:
    error = {"type": type_, "message": message}
    if param:
        error["param"] = param
    if code:
        error["code"] = code
    return {"error": error}


class _Handler(BaseHTTPRequestHandler):
    stripe: StripeServer
    protocol_version = "HTTP/1.1"

    def _serve(self, method: str):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        params = form_decode(body if method == "POST" else url.query)
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, payload = self.stripe.handle(method, url.path, params, headers)
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", "req_" + secrets.token_hex(7))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def do_DELETE(self):
        self._serve("DELETE")

    def log_message(self, *args):
        pass


@pytest.fixture
def stripe_server():
    server = StripeServer().start()
    yield server
    server.stop()


@pytest.fixture
def stripe_settings(settings, stripe_server):
    """Point the app's Stripe SDK at the local server and set the webhook secret."""
    settings.STRIPE_API_BASE = stripe_server.url
    settings.STRIPE_SECRET_KEY = stripe_server.api_key
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return stripe_server
