from rest_framework import serializers

from tenants.models import ApiKey, Membership


class ApiKeySerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=[r for r in Membership.Role.values if r != Membership.Role.OWNER],
                                   default=Membership.Role.ADMIN)

    class Meta:
        model = ApiKey
        fields = ["id", "name", "prefix", "role", "created", "last_used_at", "revoked_at"]
        read_only_fields = ["id", "prefix", "created", "last_used_at", "revoked_at"]


class ApiKeyCreatedSerializer(ApiKeySerializer):
    key = serializers.CharField(read_only=True, help_text="The secret, shown only in this response.")

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "key"]
