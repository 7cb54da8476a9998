from rest_framework import serializers

from .models import LedgerEntry, Purchase


class BalanceSerializer(serializers.Serializer):
    organization_id = serializers.UUIDField()
    available = serializers.IntegerField()
    held = serializers.IntegerField()
    frozen = serializers.BooleanField()


class ProductSerializer(serializers.Serializer):
    sku = serializers.CharField()
    name = serializers.CharField()
    credits = serializers.IntegerField()
    price_cents = serializers.IntegerField()
    currency = serializers.CharField()
    interval = serializers.CharField(required=False)


class PacksSerializer(serializers.Serializer):
    packs = ProductSerializer(many=True)
    plans = ProductSerializer(many=True)


class LedgerEntrySerializer(serializers.ModelSerializer):
    amount = serializers.IntegerField(read_only=True)

    class Meta:
        model = LedgerEntry
        fields = ["id", "kind", "amount", "available_delta", "held_delta", "reference", "description", "created_at"]


class PurchaseSerializer(serializers.ModelSerializer):
    pack = serializers.CharField(source="pack_sku")

    class Meta:
        model = Purchase
        fields = ["id", "pack", "credits", "amount_total", "currency", "status", "checkout_session_id",
                  "credits_reversed", "created_at", "fulfilled_at"]


class CheckoutRequestSerializer(serializers.Serializer):
    pack = serializers.CharField(max_length=64)


class SubscribeRequestSerializer(serializers.Serializer):
    plan = serializers.CharField(max_length=64)


class CheckoutResponseSerializer(serializers.Serializer):
    checkout_url = serializers.URLField()
    session_id = serializers.CharField()


class PortalResponseSerializer(serializers.Serializer):
    url = serializers.URLField()


class QuoteRequestSerializer(serializers.Serializer):
    variants = serializers.IntegerField(required=False, default=1)
    aspects = serializers.ListField(child=serializers.CharField(), required=False)
    duration = serializers.FloatField(required=False, default=30)
    preview = serializers.BooleanField(required=False, default=False)
    engines = serializers.DictField(child=serializers.CharField(), required=False)
    platforms = serializers.ListField(child=serializers.CharField(), required=False)


class QuoteLineSerializer(serializers.Serializer):
    engine_class = serializers.CharField()
    tier = serializers.CharField()
    seconds = serializers.IntegerField()
    credits_per_second = serializers.FloatField()
    credits = serializers.IntegerField()


class QuoteResponseSerializer(serializers.Serializer):
    credits = serializers.IntegerField()
    available = serializers.IntegerField()
    sufficient = serializers.BooleanField()
    lines = QuoteLineSerializer(many=True)
