"""The OpenAPI schema says which errors each operation can answer, all in one error shape."""

from __future__ import annotations

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"code": {"type": "string", "description": "stable machine code"},
                   "message": {"type": "string", "description": "human words"},
                   "fields": {"type": "object", "additionalProperties": True,
                              "description": "per-field messages (validation errors)"}},
    "required": ["code", "message"],
}
ERRORS = {
    "400": "Invalid input (a body field or query parameter), named in `fields`.",
    "401": "No or an invalid API key / session.",
    "403": "Your role cannot do this.",
    "404": "No such object in this workspace (or no such workspace).",
    "405": "Method not allowed here.",
    "406": "The Accept header asks for a format this operation does not produce.",
    "409": "Conflicts with the object's current state.",
    "413": "The upload or body is too large.",
    "415": "Unsupported request content type.",
    "429": "Too many requests: wait for the Retry-After header's seconds.",
}


def document_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation lists the error responses above."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR_SCHEMA)
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                responses.setdefault(status, {"description": description,
                                              "content": {"application/json": {"schema": ref}}})
    return result
