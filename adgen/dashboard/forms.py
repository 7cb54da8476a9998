"""Dashboard forms: input validation only; the views hand clean data to the apps' services."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.urls import reverse

from adgen.ads.models import BrandKit
from adgen.campaigns import schedules
from adgen.security.outbound import validate_fetch_url
from adgen.security.uploads import clean_brand_file
from tenants.models import Membership, Organization
from pipelines.jobs import PLATFORMS as JOB_PLATFORMS
from pipelines.product import ASPECT_NAMES, ASPECTS
from pipelines.render.platforms import PLATFORMS as PLATFORM_PRESETS

PLATFORMS = [(name, PLATFORM_PRESETS[name].label) for name in JOB_PLATFORMS]


def LANGUAGES() -> list[tuple[str, str]]:  # noqa: N802 (Django takes a callable for choices)
    """Every language some voice here speaks (pipelines.voice's catalogue), natural voices first."""
    from adgen.dashboard.selectors import language_choices

    return language_choices()


def page_language(language: str | None) -> str:
    """The product page's language as a choice of the form ("en-US" -> "en", "zh-CN" -> "zh")."""
    from pipelines.voice.catalog import normalize_language

    codes = dict(LANGUAGES())
    lang = normalize_language(language)
    lang = "en" if lang == "en-us" else lang
    return lang if lang in codes else lang.split("-")[0] if lang.split("-")[0] in codes else "en"

TONES = [("friendly", "Friendly"), ("energetic", "Energetic"), ("premium", "Premium"),
         ("playful", "Playful"), ("professional", "Professional")]
HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
CSV_MAX_BYTES = 5 * 1024 * 1024


class SignUpForm(forms.Form):
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(min_length=8, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text="At least 8 characters.")
    organization = forms.CharField(label="Brand or agency name", max_length=200)
    agency = forms.BooleanField(label="We are an agency managing several brands", required=False)

    def clean_email(self):
        return self.cleaned_data["email"].lower()  # whether it has an account is told by email only

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password"):  # checked against the email too (not equal, not similar)
            email = cleaned.get("email") or ""
            try:
                validate_password(cleaned["password"], user=get_user_model()(username=email, email=email))
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class InvitationSignUpForm(forms.Form):
    password = forms.CharField(min_length=8, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_password(self):
        email = (self.data.get("email") or "").strip().lower()
        validate_password(self.cleaned_data["password"], user=get_user_model()(username=email, email=email))
        return self.cleaned_data["password"]


class WorkspaceForm(forms.Form):
    name = forms.CharField(label="Workspace (brand) name", max_length=200)
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), empty_label=None)

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(pk__in=[o.pk for o in organizations])


class InviteForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=[c for c in Membership.Role.choices if c[0] != Membership.Role.OWNER],
                             initial=Membership.Role.EDITOR)


class ProductUrlForm(forms.Form):
    url = forms.URLField(label="Product page URL", max_length=2000, assume_scheme="https",
                         widget=forms.URLInput(attrs={"placeholder": "https://shop.example.com/products/…",
                                                      "autocomplete": "url"}))

    def clean_url(self):
        from rest_framework.exceptions import ValidationError as ApiValidationError

        try:  # the outbound guard's static rules now; the scraper checks again when it fetches
            return validate_fetch_url(self.cleaned_data["url"])
        except ApiValidationError as exc:
            raise forms.ValidationError(exc.detail[0]) from None


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ReviewForm(forms.Form):
    """The scraped product (editable) and the job options, on one page."""

    title = forms.CharField(max_length=500)
    price = forms.DecimalField(required=False, min_value=0, decimal_places=2, max_digits=12)
    currency = forms.CharField(required=False, max_length=3)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    features = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}),
                               help_text="One feature per line.")
    reviews = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="One customer quote per line.")
    images = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=forms.CheckboxSelectMultiple)

    variants = forms.IntegerField(min_value=1, max_value=6, initial=2)
    aspects = forms.MultipleChoiceField(choices=[(a, f"{a} {ASPECT_NAMES[a].lower()}") for a in ASPECTS], initial=["9:16"],
                                        widget=forms.CheckboxSelectMultiple)
    platforms = forms.MultipleChoiceField(choices=PLATFORMS, required=False, widget=forms.CheckboxSelectMultiple)
    duration = forms.IntegerField(label="Length (seconds)", min_value=6, max_value=60, initial=20)
    language = forms.ChoiceField(choices=LANGUAGES)
    tone = forms.ChoiceField(choices=TONES)
    brand_kit = forms.ModelChoiceField(queryset=BrandKit.objects.none(), required=False,
                                       empty_label="No brand kit (adgen defaults)",
                                       help_text="The brand kit sets the presenter, voice, colours, logo and music.")
    preview = forms.BooleanField(required=False, initial=True, label="Preview quality (cheaper, faster)")

    def __init__(self, *args, image_urls=(), brand_kits=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["images"].choices = list(enumerate(image_urls))  # the label is the picture's address
        if brand_kits is not None:
            self.fields["brand_kit"].queryset = brand_kits

    def product_data(self, base: dict) -> dict:
        d = self.cleaned_data
        data = {**base, "title": d["title"], "description": d["description"] or "",
                "features": _lines(d["features"]),
                "reviews": [{"text": t} for t in _lines(d["reviews"])]}
        data["price"] = float(d["price"]) if d["price"] is not None else None
        if d["currency"]:
            data["currency"] = d["currency"].upper()
        return data

    def options(self) -> dict:
        d = self.cleaned_data
        options = {"variants": d["variants"], "aspects": d["aspects"], "duration": d["duration"],
                   "language": d["language"], "tone": d["tone"], "preview": d["preview"]}
        if d["platforms"]:
            options["platforms"] = d["platforms"]
        return options


def review_initial(data: dict, images: list, draft: dict | None) -> dict:
    defaults = {**_review_product_initial(data), "images": list(range(len(images))), "variants": 2,
                "aspects": ["9:16"], "duration": 20, "language": page_language(data.get("language")),
                "tone": "friendly", "preview": True}
    if draft:  # a draft may come from a retried API job that set only some options: the rest default
        product, options = draft["product"], draft["options"]
        return {**defaults, **_review_product_initial(product), **options, "images": draft["images"],
                "brand_kit": draft.get("brand_kit")}
    return defaults


def _review_product_initial(data: dict) -> dict:
    return {"title": data.get("title", ""), "price": data.get("price"), "currency": data.get("currency") or "",
            "description": data.get("description", ""), "features": "\n".join(data.get("features") or []),
            "reviews": "\n".join(r.get("text", "") for r in data.get("reviews") or [])}


def scripts_from_post(drafts: list[dict], post) -> list[dict]:
    """The drafts with the user's edits: each scene's voice-over and on-screen text, its place in the
    variant (`s<v>-<i>-order`, the storyboard's Move up/down), CTA, post copy.

    The hook is the first scene's voice-over (what the video opens with), so it has no field of its own."""
    edited = []
    for v, draft in enumerate(drafts):
        script = {**draft, "scenes": [dict(s) for s in draft["scenes"]]}
        for name in ("cta", "caption"):
            value = post.get(f"s{v}-{name}")
            if value is not None:
                script[name] = value.strip()
        for i, scene in enumerate(script["scenes"]):
            for field, key in (("voiceover", "vo"), ("on_screen_text", "text")):
                value = post.get(f"s{v}-{i}-{key}")
                if value is not None:
                    scene[field] = value.strip()
        script["scenes"] = _scenes_in_posted_order(script["scenes"], [post.get(f"s{v}-{i}-order")
                                                                      for i in range(len(script["scenes"]))])
        if any(s["voiceover"] for s in script["scenes"]):
            script["hook"] = next(s["voiceover"] for s in script["scenes"] if s["voiceover"])
            edited.append(script)
    return edited


def _scenes_in_posted_order(scenes: list[dict], orders: list[str | None]) -> list[dict]:
    """Scenes placed where the posted order fields put them; anything but a full permutation of the
    places (a missing or doctored field) keeps the order the scenes had."""
    try:
        places = [int(order) for order in orders]
    except (TypeError, ValueError):
        return scenes
    if sorted(places) != list(range(len(scenes))):
        return scenes
    return [scene for _, scene in sorted(zip(places, scenes), key=lambda pair: pair[0])]


class _StoredFile:
    """A kit's stored file as ClearableFileInput shows it ("Currently: <a href=url>name</a>")."""

    def __init__(self, name: str, url: str):
        self.name, self.url = name, url

    def __str__(self) -> str:
        return self.name


class BrandFileInput(forms.ClearableFileInput):
    """Links the current file through the tenant-scoped brand_kit_file view (media is not served),
    on a line of its own with a labelled "Remove it" box (the stock widget runs it all together)."""

    file_url = ""
    template_name = "dashboard/_brand_file_input.html"

    def _render(self, template_name, context, renderer=None):
        from django.template.loader import render_to_string
        from django.utils.safestring import mark_safe

        return mark_safe(render_to_string(template_name, context))  # the project's templates/, not the form renderer's

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if context["widget"]["is_initial"] and self.file_url:
            context["widget"]["value"] = _StoredFile(str(value.name).rsplit("/", 1)[-1], self.file_url)
        return context


class BrandKitForm(forms.ModelForm):
    FILE_FIELDS = ("logo", "font", "music", "presenter_image", "intro", "outro")

    presenter = forms.ChoiceField(required=False)
    voice = forms.ChoiceField(required=False)

    class Meta:
        model = BrandKit
        fields = ["name", "primary_color", "secondary_color", "accent_color", "logo", "font", "music",
                  "presenter_image", "presenter", "voice", "cta", "watermark", "intro", "outro"]
        widgets = {"primary_color": forms.TextInput(attrs={"type": "color"}),
                   "secondary_color": forms.TextInput(attrs={"type": "color"}),
                   "accent_color": forms.TextInput(attrs={"type": "color"}),
                   "logo": BrandFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
                   "font": BrandFileInput(attrs={"accept": ".ttf,.otf"}),
                   "music": BrandFileInput(attrs={"accept": "audio/*"}),
                   "presenter_image": BrandFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
                   "intro": BrandFileInput(attrs={"accept": "video/*"}),
                   "outro": BrandFileInput(attrs={"accept": "video/*"})}
        labels = {"presenter_image": "Presenter portrait (photo presenter)", "cta": "Call to action",
                  "intro": "Intro clip (plays before each ad, up to 5 s)",
                  "outro": "Outro clip (plays after the end card, up to 5 s)",
                  "watermark": "Show a small watermark"}

    def __init__(self, *args, presenters=(), voices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["presenter"].choices = [("", "Default presenter"), *presenters]
        self.fields["voice"].choices = [("", "Pick by language"), *voices]
        if not self.instance._state.adding:  # a saved kit (a new one has a pk already: a default uuid)
            for name in self.FILE_FIELDS:
                self.fields[name].widget.file_url = reverse("dashboard:brand-kit-file", kwargs={
                    "workspace_id": self.instance.workspace_id, "kit_id": self.instance.pk, "kind": name})

    def clean(self):
        cleaned = super().clean()
        for name in ("primary_color", "secondary_color", "accent_color"):
            if cleaned.get(name) and not HEX.match(cleaned[name]):
                self.add_error(name, "Use a colour like #1a2b3c.")
        for name in self.FILE_FIELDS:  # decoded, re-encoded or probed before anything is stored
            if name in cleaned and cleaned[name] and name not in self.errors:
                try:
                    cleaned[name] = clean_brand_file(name, cleaned[name])
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
        return cleaned

    def service_fields(self) -> dict:
        """Cleaned values for brand_kit_create/update (a cleared file becomes empty)."""
        fields = {}
        for name in self.Meta.fields:
            value = self.cleaned_data.get(name)
            if value is False and name in self.FILE_FIELDS:
                value = ""
            if value is None and name in self.FILE_FIELDS:
                continue
            fields[name] = value
        return fields


class CampaignForm(forms.Form):
    """The HTML side of a campaign; the campaigns app's serializer applies its own rules after this."""

    SOURCE_KINDS = [("urls", "A list of product URLs (paste or CSV)"), ("shopify", "Shopify storefront (products.json)"),
                    ("merchant", "Google Merchant Center feed (XML)"), ("sitemap", "Sitemap filtered by a URL pattern")]

    name = forms.CharField(max_length=200)
    source_kind = forms.ChoiceField(label="Products come from", choices=SOURCE_KINDS, initial="urls")
    source_urls = forms.CharField(label="Product URLs", required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text="One URL per line.")
    source_csv = forms.FileField(label="…or a CSV file with a url column", required=False,
                                 widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}))
    source_url = forms.URLField(label="Feed or sitemap URL", required=False, assume_scheme="https")
    url_pattern = forms.CharField(label="Sitemap URL pattern (regex)", required=False, max_length=500)
    max_products = forms.IntegerField(min_value=1, max_value=1000, initial=50)
    variants = forms.IntegerField(label="Variants per product", min_value=1, max_value=6, initial=2)
    aspects = forms.MultipleChoiceField(choices=[(a, f"{a} {ASPECT_NAMES[a].lower()}") for a in ASPECTS], initial=["9:16"],
                                        widget=forms.CheckboxSelectMultiple)
    languages = forms.MultipleChoiceField(choices=LANGUAGES, initial=["en"], widget=forms.CheckboxSelectMultiple)
    duration = forms.IntegerField(label="Length (seconds)", min_value=6, max_value=60, initial=20)
    preview = forms.BooleanField(required=False, initial=True, label="Preview quality first")
    brand_kit = forms.ModelChoiceField(queryset=BrandKit.objects.none(), required=False, empty_label="No brand kit")
    budget_per_run = forms.IntegerField(label="Credit budget per run", min_value=1, required=False)
    budget_per_month = forms.IntegerField(label="Credit budget per month", min_value=1, required=False)
    schedule_frequency = forms.ChoiceField(label="Runs", choices=schedules.FREQUENCIES, required=False,
                                           initial=schedules.MANUAL)
    schedule_weekday = forms.ChoiceField(label="On", choices=schedules.WEEKDAYS, initial="mon", required=False)
    schedule_time = forms.TimeField(label="At", initial="09:00", required=False,
                                    widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    schedule = forms.CharField(label="Cron expression", required=False, max_length=120,
                               help_text="Advanced only: minute hour day month weekday, e.g. 0 9 * * mon.")
    time_zone = forms.CharField(max_length=64, initial="UTC", label="Time zone",
                                help_text="The wall clock the schedule follows, e.g. Europe/Paris.",
                                widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}))
    enabled = forms.BooleanField(required=False, initial=True, label="Schedule enabled")
    webhook_url = forms.URLField(label="Delivery webhook URL", required=False, assume_scheme="https")
    webhook_secret = forms.CharField(label="Webhook secret (16+ characters)", required=False, max_length=200,
                                     widget=forms.PasswordInput(render_value=False))

    def __init__(self, *args, brand_kits=None, **kwargs):
        super().__init__(*args, **kwargs)
        if brand_kits is not None:
            self.fields["brand_kit"].queryset = brand_kits
        self.time_zones = schedules.time_zone_choices()  # the time-zone field's suggestions

    # the source fields each kind reads; the others are neither shown (campaign_form.js) nor sent,
    # so a feed URL typed before switching to a URL list cannot block the save
    SOURCE_FIELDS = {"urls": ("source_urls", "source_csv"), "shopify": ("source_url",),
                     "merchant": ("source_url",), "sitemap": ("source_url", "url_pattern")}

    @property
    def source_kinds(self) -> dict[str, str]:
        """field name -> the kinds that use it, space-separated (the template's data-values)."""
        kinds: dict[str, list[str]] = {}
        for kind, names in self.SOURCE_FIELDS.items():
            for name in names:
                kinds.setdefault(name, []).append(kind)
        return {name: " ".join(k) for name, k in kinds.items()}

    def clean(self):
        # which source field a kind needs is the campaigns serializer's rule; its errors come back
        # onto these fields (views.campaign_edit), so it is not repeated here
        d = super().clean()
        self._clean_schedule(d)
        return d

    def _clean_schedule(self, d: dict) -> None:
        """The picker's fields become the one cron the campaign stores (schedules.schedule_to_cron).
        A post without the picker (an older form, a script) keeps sending the cron itself."""
        frequency = d.get("schedule_frequency") or (schedules.CUSTOM if d.get("schedule") else schedules.MANUAL)
        if frequency == schedules.CUSTOM and not d.get("schedule"):
            self.add_error("schedule", "Write the cron expression, or pick a daily or weekly schedule.")
            return
        if frequency in (schedules.DAILY, schedules.WEEKLY) and d.get("schedule_time") is None:
            if "schedule_time" not in self.errors:
                self.add_error("schedule_time", "Pick a time of day.")
            return
        pick = schedules.SchedulePick(frequency=frequency, weekday=d.get("schedule_weekday") or "mon",
                                      at=d.get("schedule_time") or schedules.SchedulePick.at,
                                      cron=d.get("schedule") or "")
        try:
            d["schedule"] = schedules.schedule_to_cron(pick)
            schedules.validate_schedule(d["schedule"], d.get("time_zone") or "UTC")
        except schedules.ScheduleError as exc:
            self.add_error("schedule" if frequency == schedules.CUSTOM else "time_zone", str(exc))

    def api_data(self) -> dict:
        d = self.cleaned_data
        data = {name: d[name] for name in ("name", "source_kind", "max_products",
                                           "preview", "schedule", "time_zone", "enabled", "webhook_url")}
        uses = self.SOURCE_FIELDS.get(d["source_kind"], ())
        data["source_url"] = d["source_url"] if "source_url" in uses else ""
        data["url_pattern"] = d["url_pattern"] if "url_pattern" in uses else ""
        data["matrix"] = {"variants": d["variants"], "aspects": d["aspects"], "languages": d["languages"],
                          "duration": d["duration"]}
        data["brand_kit"] = str(d["brand_kit"].pk) if d["brand_kit"] else None
        for name in ("budget_per_run", "budget_per_month"):
            data[name] = d[name]
        if d["webhook_secret"]:
            data["webhook_secret"] = d["webhook_secret"]
        if d["source_csv"] and "source_csv" in uses:  # bounded: the campaign keeps at most 5000 URLs anyway
            data["source_csv"] = d["source_csv"].read(CSV_MAX_BYTES).decode("utf-8", errors="replace")
        elif d["source_kind"] == "urls":
            data["source_urls"] = _lines(d["source_urls"])
        return data


def campaign_initial(campaign) -> dict:
    matrix = campaign.matrix or {}
    return {"name": campaign.name, "source_kind": campaign.source_kind, "source_urls": "\n".join(campaign.source_urls),
            "source_url": campaign.source_url, "url_pattern": campaign.url_pattern,
            "max_products": campaign.max_products, "variants": matrix.get("variants", 2),
            "aspects": matrix.get("aspects") or ["9:16"], "languages": matrix.get("languages") or ["en"],
            "duration": int(matrix.get("duration", 20)), "preview": campaign.preview, "brand_kit": campaign.brand_kit_id,
            "budget_per_run": campaign.budget_per_run, "budget_per_month": campaign.budget_per_month,
            "schedule": campaign.schedule, "time_zone": campaign.time_zone, "enabled": campaign.enabled,
            "webhook_url": campaign.webhook_url, **schedule_initial(campaign.schedule)}


def schedule_initial(cron: str) -> dict:
    """The picker's fields for a stored cron (the same translation the form writes with)."""
    pick = schedules.schedule_from_cron(cron)
    return {"schedule_frequency": pick.frequency, "schedule_weekday": pick.weekday, "schedule_time": pick.at,
            "schedule": pick.cron}


class ApiKeyForm(forms.Form):
    """A new API key: a name to recognise it by and a role no higher than the creator's own."""

    name = forms.CharField(max_length=100, help_text="Where it will be used, e.g. “Shopify sync” or “CI”.")
    role = forms.ChoiceField(help_text="What the key may do: viewers read, editors make ads, admins also manage keys.")

    def __init__(self, *args, role: str, **kwargs):
        from tenants.selectors import roles_up_to

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles_up_to(role)
        self.fields["role"].initial = Membership.Role.EDITOR
        self.fields["name"].widget.attrs["autocomplete"] = "off"
