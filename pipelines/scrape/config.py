"""Settings of one scrape: fetch path, limits, and which private hosts may be reached."""

from __future__ import annotations

import os
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

PRIVATE_HOSTS_ENV = "ADGEN_ALLOW_PRIVATE_HOSTS"


def private_hosts_allowed_by_env() -> bool:
    return os.environ.get(PRIVATE_HOSTS_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


class ScrapeConfig(BaseModel):
    model_config = ConfigDict(extra="ignore")

    # loopback/private networks are refused unless this (or ADGEN_ALLOW_PRIVATE_HOSTS=1) says so;
    # link-local/metadata, multicast and reserved addresses stay refused either way
    allow_private_hosts: bool = False
    # exact "host:port" origins exempt from the address rules (tests, a known internal shop)
    allowed_hosts: list[str] = Field(default_factory=list)
    browser: Literal["auto", "static", "browser"] = "auto"
    connect_timeout_s: float = 5.0
    page_timeout_s: float = 15.0  # whole page fetch (all redirect hops) or browser navigation
    total_timeout_s: float = 45.0  # the whole scrape including images
    max_page_bytes: int = 5_000_000
    max_redirects: int = 5
    max_subrequests: int = 150  # browser requests, Shopify JSON, images
    max_browser_bytes: int = 25_000_000  # all bytes the browser may pull for one page
    max_images: int = 6
    max_image_bytes: int = 10_000_000
    max_image_pixels: int = 40_000_000
    min_image_side: int = 120
    max_reviews: int = 10
    max_features: int = 8
    user_agent: str = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                       "Chrome/126.0 Safari/537.36 adgen/0.1")
    accept_language: str = "en-US,en;q=0.8"
    download_images: bool = True
    shopify_json: bool = True  # fetch products/<handle>.json on Shopify pages
    chromium_path: str = "/usr/bin/chromium"
    browser_settle_ms: int = 800  # quiet time awaited after load for late scripts

    @property
    def private_allowed(self) -> bool:
        return self.allow_private_hosts or private_hosts_allowed_by_env()
