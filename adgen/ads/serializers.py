"""Thin serializers: input validation (ids in bodies resolve inside the URL's workspace only)
and output shapes. Business logic lives in services/selectors."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from pydantic import ValidationError as PydanticValidationError
from rest_framework import exceptions, serializers

from adgen.ads import selectors
from adgen.ads.error_hints import error_hint
from adgen.ads.models import AdJob, BrandKit, Product, Render, Webhook
from adgen.security.outbound import validate_fetch_url, validate_outbound_url
from adgen.security.uploads import BRAND_FILE_RULES, clean_brand_file
from pipelines.avatar.looks import LOOKS
from pipelines.engines import EngineNotFound, engine_spec
from pipelines.jobs import DEFAULT_DURATION_S, FRAMEWORKS, MAX_DURATION_S, MAX_VARIANTS, MIN_DURATION_S, PLATFORMS
from pipelines.product import ASPECTS, AdScript


@extend_schema_field(OpenApiTypes.UUID)
class WorkspaceObjectField(serializers.PrimaryKeyRelatedField):
    """A primary key that resolves only inside the request's workspace: another tenant's id is
    reported exactly like an id that does not exist."""

    default_error_messages = {"does_not_exist": "No such object in this workspace.",
                              "incorrect_type": "Expected an id."}

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        workspace = self.context.get("workspace")
        if workspace is None:
            return self.model.objects.none()
        return self.model.objects.for_workspace(workspace)

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if any(code == "does_not_exist" for code in exc.get_codes()):
                # an id from another workspace reads exactly like a missing one: 404, never a hint
                raise exceptions.NotFound(f"No {self.model._meta.verbose_name} with this id in this workspace.",
                                          code="not_found")
            raise


class EnginesField(serializers.DictField):
    child = serializers.CharField(max_length=64)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        for stage, name in value.items():
            try:
                engine_spec(stage, name)  # the registry's message lists the valid stages or engines
            except EngineNotFound as exc:
                raise serializers.ValidationError(exc.message, code=exc.code) from None
        return value


def public_http_url(value: str) -> str:
    """http(s) and, by the outbound guard's static rules, not an internal address (the scraper
    checks again, resolved, when it fetches)."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise serializers.ValidationError("Only http(s) URLs are allowed.")
    return validate_fetch_url(value)


class AdCreateSerializer(serializers.Serializer):
    url = serializers.URLField(required=False, max_length=2000, validators=[public_http_url])
    product = WorkspaceObjectField(Product, required=False)
    brand_kit = WorkspaceObjectField(BrandKit, required=False, allow_null=True)
    variants = serializers.IntegerField(min_value=1, max_value=MAX_VARIANTS, default=2)
    aspects = serializers.ListField(child=serializers.ChoiceField(choices=list(ASPECTS)), required=False,
                                    allow_empty=False)
    duration = serializers.FloatField(min_value=MIN_DURATION_S, max_value=MAX_DURATION_S, default=DEFAULT_DURATION_S)
    language = serializers.CharField(max_length=16, required=False,
                                     help_text="script and voice language; default: the product page's own")
    tone = serializers.CharField(max_length=32, required=False)
    engines = EnginesField(required=False)
    platforms = serializers.ListField(child=serializers.ChoiceField(choices=PLATFORMS), required=False,
                                      allow_empty=False)
    preview = serializers.BooleanField(default=False)
    seed = serializers.IntegerField(min_value=0, required=False)
    frameworks = serializers.ListField(child=serializers.ChoiceField(choices=list(FRAMEWORKS)), required=False,
                                       allow_empty=False)
    voice = serializers.CharField(max_length=64, required=False, help_text="voice id from the catalog")
    presenter = serializers.ChoiceField(choices=sorted(LOOKS), required=False, help_text="presenter look")
    scripts = serializers.ListField(child=serializers.DictField(), required=False, allow_empty=False, max_length=MAX_VARIANTS,
                                    help_text="edited AdScripts: rendered as given instead of writing new ones")

    def validate_scripts(self, value):
        try:
            return [AdScript.model_validate(script).model_dump(mode="json") for script in value]
        except PydanticValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(part) for part in error.get("loc", ()))
            raise serializers.ValidationError(f"Invalid script{f' ({where})' if where else ''}: {error['msg']}") from None

    def validate(self, attrs):
        if bool(attrs.get("url")) == bool(attrs.get("product")):
            raise serializers.ValidationError("Give exactly one of `url` or `product`.", code="url_or_product")
        return attrs


class ProductCreateSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=2000, validators=[public_http_url])


class ErrorHintSerializer(serializers.Serializer):
    """adgen.ads.error_hints: what a failure means to a marketer and what to do next."""

    title = serializers.CharField()
    next_step = serializers.CharField()
    link_problem = serializers.BooleanField(help_text="the product link is the trouble: try it again or use another")
    retry_may_help = serializers.BooleanField(help_text="the same job again could succeed")


class AdProductSerializer(serializers.ModelSerializer):
    error = serializers.SerializerMethodField()
    error_hint = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ["id", "url", "status", "title", "data", "images", "error", "error_hint", "created", "updated"]
        read_only_fields = fields

    def get_error(self, obj) -> dict | None:
        return {"code": obj.error_code, "message": obj.error_message} if obj.error_code else None

    @extend_schema_field(ErrorHintSerializer(allow_null=True))
    def get_error_hint(self, obj) -> dict | None:
        return error_hint(obj.error_code) if obj.error_code else None


class BrandKitSerializer(serializers.ModelSerializer):
    class Meta:
        model = BrandKit
        fields = ["id", "name", "primary_color", "secondary_color", "accent_color", "font", "logo", "music",
                  "presenter_image", "presenter", "voice", "voice_rate", "voice_pitch", "pronunciations", "cta",
                  "watermark", "intro", "outro", "created", "updated"]
        read_only_fields = ["id", "created", "updated"]

    def validate_pronunciations(self, value):
        """How to say the brand's names: {"Xiaomi": "show me"}, applied by every voice."""
        if not isinstance(value, dict) or len(value) > 200 or not all(
                isinstance(k, str) and isinstance(v, str) and 0 < len(k) <= 100 and 0 < len(v) <= 200
                and "\x00" not in k + v for k, v in value.items()):
            raise serializers.ValidationError("Give up to 200 names, each mapped to how it is said, e.g. "
                                              '{"Xiaomi": "show me"}.')
        return value

    def validate(self, attrs):
        import re

        for name in BRAND_FILE_RULES:  # decoded, re-encoded or probed before anything is stored
            if attrs.get(name):
                try:
                    attrs[name] = clean_brand_file(name, attrs[name])
                except DjangoValidationError as exc:
                    raise serializers.ValidationError({name: exc.messages}) from None
        for name in ("primary_color", "secondary_color", "accent_color"):
            if name in attrs and not re.fullmatch(r"#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?", attrs[name]):
                raise serializers.ValidationError({name: "Use a hex colour like #ff3d57."})
        return attrs


class StageSerializer(serializers.Serializer):
    node = serializers.CharField()
    stage = serializers.CharField()
    queue = serializers.CharField()
    status = serializers.CharField()
    attempt = serializers.IntegerField()
    progress = serializers.IntegerField(help_text="0-100")
    cached = serializers.BooleanField()
    message = serializers.CharField()
    error = serializers.DictField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    elapsed_s = serializers.FloatField(allow_null=True)


class AdJobSerializer(serializers.ModelSerializer):
    """A job with its overall and per-stage progress, error, and outputs (download URLs)."""

    progress = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()
    error_hint = serializers.SerializerMethodField()
    stages = serializers.SerializerMethodField()
    outputs = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField(help_text="what to check before posting: the ad's language is "
                                                           "not the page's, a basic fallback voice, ...")

    class Meta:
        model = AdJob
        fields = ["id", "status", "progress", "url", "product", "brand_kit", "options", "quoted_credits",
                  "error", "error_hint", "stages", "outputs", "warnings", "created", "started_at", "finished_at"]
        read_only_fields = fields

    def _status(self, obj) -> dict:
        cache = self.context.setdefault("_status", {})
        if obj.pk not in cache:
            request = self.context.get("request")
            base = request.build_absolute_uri("/") if request is not None else None
            cache[obj.pk] = selectors.job_status(obj, base_url=base)
        return cache[obj.pk]

    def get_progress(self, obj) -> int:
        return self._status(obj)["progress"]

    def get_error(self, obj) -> dict | None:
        return self._status(obj)["error"]

    @extend_schema_field(ErrorHintSerializer(allow_null=True))
    def get_error_hint(self, obj) -> dict | None:
        return self._status(obj)["error_hint"]

    def get_stages(self, obj) -> list[dict]:
        return self._status(obj)["stages"]

    def get_outputs(self, obj) -> dict:
        return self._status(obj)["outputs"]

    def get_warnings(self, obj) -> list[str]:
        return self._status(obj)["warnings"]


class RenderSerializer(serializers.ModelSerializer):
    variant = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Render
        fields = ["id", "job", "variant", "node_id", "aspect", "platform", "width", "height", "duration_s",
                  "size_bytes", "video_codec", "audio_codec", "facts", "download_url", "created"]
        read_only_fields = fields

    def get_variant(self, obj) -> int | None:
        return obj.variant.index if obj.variant else None

    def get_download_url(self, obj) -> str:
        request = self.context.get("request")
        path = selectors.render_download_path(obj)
        return request.build_absolute_uri(path) if request is not None else path


def webhook_url(value: str) -> str:
    """Webhooks pass the outbound guard now, and again each time one is sent."""
    public_http_url(value)
    return validate_outbound_url(value)


class WebhookSerializer(serializers.ModelSerializer):
    url = serializers.URLField(max_length=2000, validators=[webhook_url])
    secret = serializers.CharField(max_length=200, min_length=16, write_only=True,
                                   help_text="Shared secret for the X-Adgen-Signature HMAC-SHA256.")
    events = serializers.ListField(child=serializers.ChoiceField(choices=list(Webhook.EVENTS)), required=False)

    class Meta:
        model = Webhook
        fields = ["id", "url", "secret", "events", "active", "created"]
        read_only_fields = ["id", "created"]


class EventsQuerySerializer(serializers.Serializer):
    timeout = serializers.FloatField(required=False, min_value=1, max_value=3600, default=3600,
                                     help_text="seconds to keep the stream open (at most 3600)")

    @classmethod
    def timeout_from(cls, request) -> float:
        """?timeout= as finite seconds in 1..3600 (nan, inf and words are a 400)."""
        query = cls(data=request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data["timeout"]
