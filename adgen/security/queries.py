"""Query strings and bodies the API accepts: typed filters, bounded pagination, no NUL characters.

Every `?param=` a view lists in `filter_fields` is validated against the model field it filters
(booleans, ids, choices, integers), so a bad value is a 400 naming the parameter, never a 500
from the database. limit/offset are bounded; JSON and form bodies refuse NUL characters
(PostgreSQL cannot store them)."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import exceptions, pagination, parsers
from rest_framework.filters import BaseFilterBackend

MAX_PAGE_SIZE = 200
MAX_OFFSET = 2**31 - 1
TRUE, FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}


def has_nul(value) -> str | None:
    """The path ('scripts.0.hook') of the first string holding a NUL character, or None."""
    if isinstance(value, str):
        return "" if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and "\x00" in key:
                return str(key).replace("\x00", "\\0")
            found = has_nul(item)
            if found is not None:
                return f"{key}.{found}".rstrip(".")
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found = has_nul(item)
            if found is not None:
                return f"{index}.{found}".rstrip(".")
    return None


def _refuse_nul(data):
    where = has_nul(data)
    if where is not None:
        raise exceptions.ParseError(f"NUL characters are not accepted{f' (in {where})' if where else ''}.",
                                    code="nul_character")
    return data


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return _refuse_nul(super().parse(stream, media_type, parser_context))


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        _refuse_nul({key: data.getlist(key) for key in data})
        return data


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """?limit= (1..200, default PAGE_SIZE) and ?offset= (0..2^31-1); anything else is a 400."""

    max_limit = MAX_PAGE_SIZE

    def _bounded(self, request, name: str, default: int, low: int, high: int) -> int:
        raw = request.query_params.get(name)
        if raw in (None, ""):
            return default
        try:
            value = int(raw)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise exceptions.ValidationError({name: f"Use a whole number from {low} to {high}."})
        return value

    def get_limit(self, request):
        return self._bounded(request, self.limit_query_param, self.default_limit, 1, self.max_limit)

    def get_offset(self, request):
        return self._bounded(request, self.offset_query_param, 0, 0, MAX_OFFSET)

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        for param in params:
            if param["name"] == self.limit_query_param:
                param["schema"].update(minimum=1, maximum=self.max_limit)
            elif param["name"] == self.offset_query_param:
                param["schema"].update(minimum=0, maximum=MAX_OFFSET)
        return params


def _model_field(model, lookup: str):
    try:
        return model._meta.get_field(lookup.split("__")[0])
    except FieldDoesNotExist:
        return None


def clean_filter_value(field, param: str, value: str):
    """The value as the field's type, or a 400 naming the parameter."""
    if field is None:
        return value
    if isinstance(field, models.BooleanField):
        lowered = value.strip().lower()
        if lowered in TRUE | FALSE:
            return lowered in TRUE
        raise exceptions.ValidationError({param: "Use true or false."})
    if field.choices:
        allowed = [str(choice) for choice, _ in field.flatchoices]
        if value not in allowed:
            raise exceptions.ValidationError({param: f"Use one of: {', '.join(allowed)}."})
        return value
    target = field.target_field if field.is_relation else field
    try:
        cleaned = target.to_python(value)
    except (DjangoValidationError, ValueError, TypeError):
        raise exceptions.ValidationError({param: f"Not a valid {target.description.lower().rstrip('.')}."})
    if isinstance(target, models.IntegerField) and not -(2**63) <= cleaned < 2**63:
        raise exceptions.ValidationError({param: "This number is out of range."})
    if isinstance(target, models.CharField) and target.max_length and len(value) > target.max_length:
        raise exceptions.ValidationError({param: f"At most {target.max_length} characters."})
    return cleaned


def _schema(field) -> dict:
    if field is None:
        return {"type": "string"}
    if isinstance(field, models.BooleanField):
        return {"type": "boolean"}
    if field.choices:
        return {"type": "string", "enum": [str(choice) for choice, _ in field.flatchoices]}
    target = field.target_field if field.is_relation else field
    if isinstance(target, models.UUIDField):
        return {"type": "string", "format": "uuid"}
    if isinstance(target, models.IntegerField):
        return {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1}
    schema = {"type": "string"}
    if isinstance(target, models.CharField) and target.max_length:
        schema["maxLength"] = target.max_length
    return schema


class QueryParamFilter(BaseFilterBackend):
    """`?status=running&product=<uuid>`: exact-match filters a view lists in `filter_fields`
    ({param: model lookup}), each parsed as its model field's type."""

    def filter_queryset(self, request, queryset, view):
        model = queryset.model
        for param, lookup in getattr(view, "filter_fields", {}).items():
            value = request.query_params.get(param)
            if value not in (None, ""):
                value = clean_filter_value(_model_field(model, lookup), param, value)
                queryset = queryset.filter(**{lookup: value})
        return queryset

    def get_schema_operation_parameters(self, view):
        model = getattr(view, "model", None)
        return [{"name": param, "required": False, "in": "query",
                 "schema": _schema(_model_field(model, lookup) if model is not None else None),
                 "description": f"Only rows whose {lookup.replace('__', ' ').removesuffix('_id')} equals this."}
                for param, lookup in getattr(view, "filter_fields", {}).items()]
