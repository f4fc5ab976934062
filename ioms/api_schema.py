"""The published schema documents every status code an operation really answers (issue 11: a
contract test found 99 undocumented ones). The error answers are added here, once for every
operation, from what the operation is: views declare only their successful answers and any error
of their own (an `extend_schema(responses=...)` for a code wins over the default here)."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent

# DRF's error bodies: {"detail": "..."} for a refusal or a missing record ...
ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# ... and for bad input, the fields at fault with their messages (or "detail" / "non_field_errors"
# for the whole request; ioms.api_errors turns a service's ValidationError into the same shape).
VALIDATION_ERROR = {
    "type": "object",
    "additionalProperties": {
        "oneOf": [
            {"type": "string"},
            {"type": "array", "items": {}},
            {"type": "object"},
        ]
    },
}


class IomsAutoSchema(AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        for code, (component, description) in self._error_responses(operation).items():
            if str(code) in responses:
                continue
            responses[str(code)] = {
                "content": {"application/json": {"schema": self._component(component)}},
                "description": description,
            }
        return operation

    def _error_responses(self, operation: dict) -> dict[int, tuple[str, str]]:
        parameters = operation.get("parameters", [])
        codes: dict[int, tuple[str, str]] = {}
        if "requestBody" in operation or any(p.get("in") == "query" for p in parameters):
            codes[400] = ("ValidationError", "The request is not valid: the fields at fault, with why.")
        # Session authentication has no challenge to send, so DRF answers 403 when there is no
        # session; a credential scheme (the courts', the data share's) answers 401 with one.
        # (DRF asks only the view's first authenticator for the challenge.)
        authentication = getattr(self.view, "authentication_classes", [])
        if authentication and authentication[0]().authenticate_header(None):
            codes[401] = ("Error", "No credential, or one that is not valid.")
        codes[403] = ("Error", "Not signed in, or not allowed to do this.")
        # A record named in the path may not exist; a list's cursor may not be valid.
        if any(p.get("in") == "path" for p in parameters) or self._is_paginated(operation):
            codes[404] = ("Error", "No such record (or page).")
        if getattr(self.view, "throttle_classes", None):
            codes[429] = ("Error", "Too many requests: try again after Retry-After seconds.")
        return codes

    def _is_paginated(self, operation: dict) -> bool:
        return self.method == "GET" and any(
            p.get("in") == "query" and p.get("name") == "cursor" for p in operation.get("parameters", [])
        )

    def _component(self, name: str) -> dict:
        schema = VALIDATION_ERROR if name == "ValidationError" else ERROR
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema)
        self.registry.register_on_missing(component)
        return component.ref
