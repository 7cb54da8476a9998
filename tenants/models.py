"""Organizations, workspaces, memberships, API keys, invitations, and workspace scoping.

Every tenant-owned model subclasses `WorkspaceScopedModel`: its default manager is fail-closed
(`Model.objects.all()` is empty); rows are reached through `.for_workspace(ws)`, through a
related manager of an object that was itself reached that way, or — for workers and support
tooling only — through `.dangerously_unscoped()`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Organization(models.Model):
    """A brand or an agency: owns billing and one or more workspaces."""

    class Kind(models.TextChoices):
        BRAND = "brand", "Brand"
        AGENCY = "agency", "Agency"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.BRAND)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class Workspace(models.Model):
    """One brand's space: its products, brand kits, jobs, renders, keys and webhooks."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="workspaces")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created"]
        constraints = [models.UniqueConstraint(fields=["organization", "slug"], name="workspace_slug_unique_per_org")]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in one workspace. An agency user may hold many memberships."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        ADMIN = "admin", "Admin"
        EDITOR = "editor", "Editor"
        VIEWER = "viewer", "Viewer"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.EDITOR)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "workspace"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.workspace} ({self.role})"


# --------------------------------------------------------------------------- scoping


class WorkspaceScopedQuerySet(models.QuerySet):
    def for_workspace(self, workspace: Workspace | uuid.UUID | str) -> "WorkspaceScopedQuerySet":
        workspace_id = workspace.pk if isinstance(workspace, Workspace) else workspace
        return self.filter(workspace_id=workspace_id)


class WorkspaceScopedManager(models.Manager.from_queryset(WorkspaceScopedQuerySet)):
    """Fail-closed: without a workspace, a query sees nothing.

    Related managers (``job.variants``) are already narrowed by their parent object, which was
    itself reached through scoping, so they see their rows.
    """

    def get_queryset(self) -> WorkspaceScopedQuerySet:
        queryset = super().get_queryset()
        if getattr(self, "instance", None) is not None:  # a related manager: scoped by its parent
            return queryset
        return queryset.none()

    def for_workspace(self, workspace) -> WorkspaceScopedQuerySet:
        return super().get_queryset().for_workspace(workspace)

    def dangerously_unscoped(self) -> WorkspaceScopedQuerySet:
        """Every row of every tenant: workers (messages carry ids) and support tooling only."""
        return super().get_queryset()


class WorkspaceScopedModel(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")

    objects = WorkspaceScopedManager()

    class Meta:
        abstract = True


# --------------------------------------------------------------------------- keys, invitations


class ApiKey(WorkspaceScopedModel):
    """A workspace API key: random, stored as a SHA-256 hash, shown once, prefix visible."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100, default="default")
    prefix = models.CharField(max_length=16, db_index=True)
    hashed_key = models.CharField(max_length=64, unique=True)
    role = models.CharField(max_length=16, choices=Membership.Role.choices, default=Membership.Role.ADMIN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"


class Invitation(WorkspaceScopedModel):
    """An emailed link that lets its bearer join a workspace with a role."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Membership.Role.choices, default=Membership.Role.EDITOR)
    hashed_token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created"]
