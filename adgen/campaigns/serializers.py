"""Thin serializers for campaigns and their runs (business rules live in services)."""

from __future__ import annotations

from rest_framework import serializers

from adgen.ads.models import BrandKit
from adgen.ads.policy import engines_check
from adgen.ads.serializers import PLATFORMS, EnginesField, WorkspaceObjectField, public_http_url, webhook_url
from adgen.campaigns import selectors
from pipelines import feeds as sources
from adgen.campaigns.models import Campaign, CampaignRun
from adgen.security.outbound import bucket_endpoint_allowed, validate_outbound_url
from pipelines.avatar.looks import LOOKS
from pipelines.product import ASPECTS


class MatrixSerializer(serializers.Serializer):
    variants = serializers.IntegerField(min_value=1, max_value=12, default=2)
    frameworks = serializers.ListField(child=serializers.CharField(max_length=32), required=False, allow_empty=False)
    aspects = serializers.ListField(child=serializers.ChoiceField(choices=list(ASPECTS)), required=False,
                                    allow_empty=False)
    platforms = serializers.ListField(child=serializers.ChoiceField(choices=PLATFORMS), required=False,
                                      allow_empty=False)
    languages = serializers.ListField(child=serializers.CharField(max_length=16), required=False, allow_empty=False)
    presenters = serializers.ListField(child=serializers.ChoiceField(choices=sorted(LOOKS)), required=False,
                                       allow_empty=False, help_text="presenter looks; one job per look")
    voices = serializers.ListField(child=serializers.CharField(max_length=64), required=False, allow_empty=False,
                                   help_text="voice ids from the catalog; one job per voice")
    duration = serializers.FloatField(min_value=6, max_value=90, default=20.0)
    tone = serializers.CharField(max_length=32, required=False)
    engines = EnginesField(required=False)
    seed = serializers.IntegerField(min_value=0, required=False)


class BucketSerializer(serializers.Serializer):
    bucket = serializers.CharField(max_length=200)
    prefix = serializers.CharField(max_length=500, required=False, allow_blank=True)
    endpoint_url = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                         help_text="One of the operator's ADGEN_BUCKET_ENDPOINTS; empty: AWS S3")
    region = serializers.CharField(max_length=64, required=False, allow_blank=True)

    def validate_endpoint_url(self, value: str) -> str:
        """Uploads are signed with the operator's credentials: only endpoints the operator lists."""
        if not value:
            return ""
        endpoint = bucket_endpoint_allowed(value)
        if endpoint is None:
            raise serializers.ValidationError(
                "This endpoint is not one this service delivers to; leave it empty for AWS S3 or ask the "
                "operator to add it to ADGEN_BUCKET_ENDPOINTS.", code="endpoint_not_allowed")
        return endpoint


class CampaignSerializer(serializers.ModelSerializer):
    source_urls = serializers.ListField(child=serializers.URLField(max_length=2000, validators=[public_http_url]),
                                        required=False, max_length=5000)
    source_csv = serializers.CharField(required=False, write_only=True, allow_blank=False,
                                       help_text="A CSV with a `url` column (or one URL per line) instead of source_urls.")
    source_url = serializers.URLField(max_length=2000, required=False, allow_blank=True,
                                      validators=[public_http_url, validate_outbound_url])
    matrix = serializers.JSONField(required=False, help_text="variants, frameworks, aspects, platforms, languages, "
                                   "duration, tone, engines, seed")
    bucket = serializers.JSONField(required=False, help_text="Optional S3-compatible delivery: bucket, prefix, "
                                   "endpoint_url, region")
    brand_kit = WorkspaceObjectField(BrandKit, required=False, allow_null=True)
    webhook_url = serializers.URLField(max_length=2000, required=False, allow_blank=True, validators=[webhook_url])
    webhook_secret = serializers.CharField(max_length=200, min_length=16, required=False, write_only=True,
                                           allow_blank=True, help_text="Signs X-Adgen-Signature (HMAC-SHA256).")

    class Meta:
        model = Campaign
        fields = ["id", "name", "source_kind", "source_urls", "source_csv", "source_url", "url_pattern",
                  "max_products", "matrix", "max_outputs", "brand_kit", "preview", "budget_per_run",
                  "budget_per_month", "schedule", "time_zone", "enabled", "next_run_at", "webhook_url",
                  "webhook_secret", "bucket", "created", "updated"]
        read_only_fields = ["id", "next_run_at", "created", "updated"]

    def validate_matrix(self, value):
        matrix = MatrixSerializer(data=value or {})
        matrix.is_valid(raise_exception=True)
        engines_check(self.context.get("workspace"), matrix.validated_data.get("engines"))
        return dict(matrix.validated_data)

    def validate_bucket(self, value):
        if not value:
            return {}
        bucket = BucketSerializer(data=value)
        bucket.is_valid(raise_exception=True)
        return dict(bucket.validated_data)

    def validate(self, attrs):
        if "source_csv" in attrs:
            attrs["source_urls"] = sources.csv_urls(attrs.pop("source_csv"))
        kind = attrs.get("source_kind", getattr(self.instance, "source_kind", Campaign.SourceKind.URLS))
        urls = attrs.get("source_urls", getattr(self.instance, "source_urls", []))
        feed = attrs.get("source_url", getattr(self.instance, "source_url", ""))
        if kind == Campaign.SourceKind.URLS:
            for url in urls:
                public_http_url(url)
            if not urls:
                raise serializers.ValidationError({"source_urls": "List at least one product URL."})
        elif not feed:
            raise serializers.ValidationError({"source_url": f"A {kind} source needs the feed's URL."})
        if attrs.get("webhook_url") and not (attrs.get("webhook_secret") or getattr(self.instance, "webhook_secret", "")):
            raise serializers.ValidationError({"webhook_secret": "A webhook needs a secret (16+ characters)."})
        return attrs


class CampaignRunSerializer(serializers.ModelSerializer):
    archive_url = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()

    class Meta:
        model = CampaignRun
        fields = ["id", "campaign", "trigger", "force", "scheduled_for", "status", "budget_allowed",
                  "quoted_credits", "summary", "error", "archive_url", "delivery", "created", "started_at",
                  "finished_at"]
        read_only_fields = fields

    def _base(self) -> str | None:
        request = self.context.get("request")
        return request.build_absolute_uri("/") if request is not None else None

    def get_archive_url(self, obj) -> str | None:
        return selectors.run_archive_url(obj, base_url=self._base())

    def get_error(self, obj) -> dict | None:
        return {"code": obj.error_code, "message": obj.error_message} if obj.error_code else None


class CampaignRunDetailSerializer(CampaignRunSerializer):
    items = serializers.SerializerMethodField()

    class Meta(CampaignRunSerializer.Meta):
        fields = [*CampaignRunSerializer.Meta.fields, "items"]
        read_only_fields = fields

    def get_items(self, obj) -> list[dict]:
        return selectors.run_items(obj, base_url=self._base())


class RunNowSerializer(serializers.Serializer):
    force = serializers.BooleanField(default=False, help_text="Render unchanged products too.")
