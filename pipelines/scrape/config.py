"""Settings of one scrape: fetch path, limits, and which private hosts may be reached."""

from __future__ import annotations

import os
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

PRIVATE_HOSTS_ENV = "ADGEN_ALLOW_PRIVATE_HOSTS"
ALLOWED_HOSTS_ENV = "ADGEN_SCRAPE_ALLOWED_HOSTS"  # comma-separated host:port exempt from the address rules
CHROMIUM_ENV = "ADGEN_CHROMIUM_PATH"


def private_hosts_allowed_by_env() -> bool:
    return os.environ.get(PRIVATE_HOSTS_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


class ScrapeConfig(BaseModel):
    model_config = ConfigDict(extra="ignore")

    # loopback/private networks are refused unless this (or ADGEN_ALLOW_PRIVATE_HOSTS=1) says so;
    # link-local/metadata, multicast and reserved addresses stay refused either way
    allow_private_hosts: bool = False
    browser: Literal["auto", "static", "browser"] = "auto"
    # limits are bounded: settings may come from a job, and a job must not lift them without end
    connect_timeout_s: float = Field(5.0, gt=0, le=30)
    page_timeout_s: float = Field(15.0, gt=0, le=60)  # page fetch (all redirect hops) or browser navigation
    total_timeout_s: float = Field(45.0, gt=0, le=180)  # the whole scrape including images
    max_page_bytes: int = Field(5_000_000, gt=0, le=50_000_000)
    max_redirects: int = Field(5, ge=0, le=10)
    max_subrequests: int = Field(150, ge=0, le=1000)  # browser requests, Shopify JSON, images
    max_browser_bytes: int = Field(25_000_000, gt=0, le=100_000_000)  # all bytes the browser pulls for a page
    max_images: int = Field(6, ge=0, le=20)
    max_image_bytes: int = Field(10_000_000, gt=0, le=30_000_000)
    max_image_pixels: int = Field(40_000_000, gt=0, le=100_000_000)
    min_image_side: int = 120
    max_reviews: int = Field(10, ge=0, le=50)
    max_features: int = Field(8, ge=0, le=20)
    user_agent: str = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                       "Chrome/126.0 Safari/537.36 adgen/0.1")
    accept_language: str = "en-US,en;q=0.8"
    download_images: bool = True
    shopify_json: bool = True  # fetch products/<handle>.json on Shopify pages
    browser_settle_ms: int = Field(800, ge=0, le=5000)  # most time awaited after load for late scripts

    # Trusted knobs are not fields, so no settings dict (a job's, a tenant's) can set them: an
    # exempt origin could point at the metadata service, a browser path at any executable.
    _allowed_hosts: list[str] = PrivateAttr(default_factory=list)
    _chromium_path: str | None = PrivateAttr(default=None)

    def trusting(self, *, allowed_hosts: list[str] | None = None, chromium_path: str | None = None) -> "ScrapeConfig":
        """A copy that exempts exactly these "host:port" origins and/or uses another Chromium."""
        copy = self.model_copy()
        if allowed_hosts is not None:
            copy._allowed_hosts = [h.strip().lower() for h in allowed_hosts if h.strip()]
        if chromium_path is not None:
            copy._chromium_path = chromium_path
        return copy

    @property
    def private_allowed(self) -> bool:
        return self.allow_private_hosts or private_hosts_allowed_by_env()

    @property
    def allowed_hosts(self) -> list[str]:
        from_env = [h.strip().lower() for h in os.environ.get(ALLOWED_HOSTS_ENV, "").split(",") if h.strip()]
        return self._allowed_hosts + from_env

    @property
    def chromium_path(self) -> str:
        return self._chromium_path or os.environ.get(CHROMIUM_ENV) or "/usr/bin/chromium"
