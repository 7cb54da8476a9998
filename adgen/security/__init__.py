"""Security policy in one place: the outbound-URL guard as the Django side uses it, upload
checks, query-parameter validation, throttles, the engine policy and response headers."""
