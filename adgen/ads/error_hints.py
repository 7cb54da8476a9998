"""What a failure means to a marketer and what to do next: ONE table from every error code the
service can record (pipelines' stages, the job lifecycle, billing, campaigns) to a plain-language
title and next step. The dashboard and the API both read `error_hint`; the raw code and message
stay available to support as technical details.

tests/ads/test_error_hints.py greps the code base for codes and fails when one is missing here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class ErrorHint:
    title: str  # what happened, in a marketer's words
    next_step: str  # what to do about it
    link_problem: bool = False  # the product link is the trouble: offer "try again" / "a different link"
    retry_may_help: bool = True  # the same job again could succeed (a passing outage, a busy server)


# shared answers: several codes mean the same thing to the person reading them
_PAGE_NOT_ANSWERING = ErrorHint(
    "The product page did not answer",
    "Check the link opens in your browser, then try again. If the shop is down, try again later.", link_problem=True)
_PAGE_NOT_READABLE = ErrorHint(
    "We could not read that product page",
    "Check the link goes to a single product's page (not a category or the home page), or use a different link.",
    link_problem=True, retry_may_help=False)
_LINK_NOT_ALLOWED = ErrorHint(
    "That link cannot be used",
    "Use the public web address of the product page (starting with https://), as a shopper would open it.",
    link_problem=True, retry_may_help=False)
_PAGE_TOO_BIG = ErrorHint(
    "The product page or its pictures are too large",
    "Use a different link to the same product, or a page with fewer or smaller pictures.",
    link_problem=True, retry_may_help=False)
_SERVER_SETUP = ErrorHint(
    "This server is missing something it needs to make this ad",
    "Try again with a different voice, presenter or style, or ask your administrator to finish the set-up "
    "(the technical details below tell them what is missing).", retry_may_help=False)
_SERVER_HICCUP = ErrorHint(
    "Something went wrong on our side",
    "Try again in a few minutes; your credits were returned. If it keeps happening, send the technical details "
    "below to support.")
_MAKING_FAILED = ErrorHint(
    "A step of making the video failed",
    "Try again; your credits were returned. If it fails again, change the script or settings a little, "
    "or send the technical details below to support.")
_BAD_OPTION = ErrorHint(
    "One of the job's settings is not available",
    "Edit the job and choose another option (the technical details below name the setting).", retry_may_help=False)
_BRAND_FILE = ErrorHint(
    "A file in your brand kit could not be used",
    "Open the brand kit and upload the logo, music or clip again (a common format such as PNG, MP3 or MP4), "
    "then try again.", retry_may_help=False)
_PORTRAIT = ErrorHint(
    "The presenter photo could not be used",
    "Upload a clear, front-facing photo of one face in the brand kit, or choose a built-in presenter or no "
    "presenter, then try again.", retry_may_help=False)
_SCRIPT_PROBLEM = ErrorHint(
    "The script could not be used",
    "Edit the script (shorter lines, plain words, a voice-over in every scene) and try again.", retry_may_help=False)
_WRITER_UNAVAILABLE = ErrorHint(
    "The script writer is not available right now",
    "Try again in a few minutes, or write or edit the scripts yourself on the scripts page.")
_SOURCE_PROBLEM = ErrorHint(
    "The campaign's product list could not be read",
    "Check the feed, sitemap or store address opens in your browser and lists products, then run the campaign "
    "again.", retry_may_help=False)
_CREDITS = ErrorHint(
    "Not enough credits",
    "Buy a credit pack on the Billing page, or make fewer variants or formats, then try again.",
    retry_may_help=False)
_GONE = ErrorHint(
    "That item no longer exists",
    "Go back to the list and start again from there.", retry_may_help=False)
_BILLING = ErrorHint(
    "Billing could not complete this request",
    "Try again in a few minutes; if it keeps happening, ask your administrator to check the billing settings.")

ERROR_HINTS: dict[str, ErrorHint] = {
    # reading the product page (scrape)
    "unreachable": _PAGE_NOT_ANSWERING,
    "timeout": _PAGE_NOT_ANSWERING,
    "http_error": ErrorHint("The product page answered with an error",
                            "Check the link opens in your browser (not a 'page not found'), then try again or use a "
                            "different link.", link_problem=True),
    "too_many_redirects": ErrorHint("The product page keeps sending us elsewhere",
                                    "Open the link in your browser and copy the address of the page you land on; "
                                    "use that link instead.", link_problem=True, retry_may_help=False),
    "bot_wall": ErrorHint("The shop blocked automatic reading of its page",
                          "Try again later, or use the same product's page on another store or your own site.",
                          link_problem=True),
    "browser_unavailable": ErrorHint("The page needs a browser to read, and none was free",
                                     "Try the link again in a few minutes.", link_problem=True),
    "not_html": _PAGE_NOT_READABLE,
    "not_a_product": _PAGE_NOT_READABLE,
    "scrape_failed": _PAGE_NOT_READABLE,
    "not_image": _PAGE_NOT_READABLE,
    "too_large": _PAGE_TOO_BIG,
    "invalid_url": _LINK_NOT_ALLOWED,
    "ssrf_blocked": _LINK_NOT_ALLOWED,
    "product_failed": ErrorHint("This product's page could not be read earlier",
                                "Paste the link again to read the page afresh, or use a different link.",
                                link_problem=True, retry_may_help=False),
    # writing scripts
    "script_failed": _SCRIPT_PROBLEM,
    "script_rejected": ErrorHint("The script broke a rule of your brand or the platform",
                                 "Edit the script to remove the words or claims named in the technical details, "
                                 "then try again.", retry_may_help=False),
    "script_too_long": ErrorHint("The script is too long for the video's length",
                                 "Shorten the voice-over or choose a longer duration, then try again.",
                                 retry_may_help=False),
    "empty_script": ErrorHint("A script has no voice-over",
                              "Write some voice-over in every variant's scenes, then try again.", retry_may_help=False),
    "no_distinct_hook": ErrorHint("The variants would open the same way",
                                  "Add more detail about the product (features, reviews), or make fewer variants.",
                                  retry_may_help=False),
    "framework_not_applicable": ErrorHint("The chosen script style does not suit this product",
                                          "Edit the job and choose another script style, or let us choose.",
                                          retry_may_help=False),
    "llm_invalid_output": _WRITER_UNAVAILABLE,
    "llm_unavailable": _WRITER_UNAVAILABLE,
    "llm_unreachable": _WRITER_UNAVAILABLE,
    "llm_request_rejected": _WRITER_UNAVAILABLE,
    "llm_auth": _SERVER_SETUP,
    # the voice
    "voice_failed": _MAKING_FAILED,
    "synthesis_failed": _MAKING_FAILED,
    "alignment_failed": _MAKING_FAILED,
    "silent_audio": ErrorHint("The voice-over came out silent",
                              "Check the script has words to say (not only symbols or numbers), then try again, "
                              "perhaps with another voice.", retry_may_help=False),
    "bad_audio": _MAKING_FAILED,
    "loudness_failed": _MAKING_FAILED,
    "unknown_voice": ErrorHint("The chosen voice is not available here",
                               "Choose another voice in the brand kit or the job, then try again.",
                               retry_may_help=False),
    "no_voices": _SERVER_SETUP,
    "voices_missing": _SERVER_SETUP,
    "voice_load_failed": _SERVER_SETUP,
    "engine_unavailable": _SERVER_SETUP,
    "unsupported_language": ErrorHint("That language is not available for this ad",
                                      "Choose another language (or voice) and try again.", retry_may_help=False),
    # the presenter
    "avatar_failed": _MAKING_FAILED,
    "avatar_encode_failed": _MAKING_FAILED,
    "avatar_frame_count": _MAKING_FAILED,
    "voice_audio_missing": _MAKING_FAILED,
    "voice_empty": _SCRIPT_PROBLEM,
    "portrait_missing": _PORTRAIT,
    "portrait_required": _PORTRAIT,
    "portrait_unreadable": _PORTRAIT,
    "no_face_found": _PORTRAIT,
    "face_unusable": _PORTRAIT,
    "unknown_look": _BAD_OPTION,
    "face_model_missing": _SERVER_SETUP,
    "model_missing": _SERVER_SETUP,
    "model_corrupt": _SERVER_SETUP,
    "model_invalid": _SERVER_SETUP,
    "no_gpu": ErrorHint("This presenter style needs a graphics card this server does not have",
                        "Choose a photo presenter or no presenter, or ask your administrator to run a GPU worker.",
                        retry_may_help=False),
    # b-roll
    "broll_failed": _MAKING_FAILED,
    "broll_bad_image": ErrorHint("A product picture could not be animated",
                                 "Leave that picture out on the review page, then try again.", retry_may_help=False),
    "broll_bad_output": _MAKING_FAILED,
    "broll_bad_plan": _MAKING_FAILED,
    "broll_bad_settings": _SERVER_SETUP,
    "broll_draw_failed": _MAKING_FAILED,
    "broll_frame_size": _MAKING_FAILED,
    "broll_model_load_failed": _SERVER_SETUP,
    "broll_model_missing": _SERVER_SETUP,
    "broll_no_input": ErrorHint("There were no product pictures to animate",
                                "Include at least one picture on the review page, or use a link whose page shows "
                                "the product.", retry_may_help=False),
    "broll_out_of_memory": _SERVER_HICCUP,
    # rendering and packaging
    "render_failed": _MAKING_FAILED,
    "ffmpeg_failed": _MAKING_FAILED,
    "audio_failed": _MAKING_FAILED,
    "bad_output": _MAKING_FAILED,
    "missing_output": _MAKING_FAILED,
    "export_failed": _MAKING_FAILED,
    "too_long": ErrorHint("The video is longer than the platform allows",
                          "Choose a shorter duration or shorten the script, then try again.", retry_may_help=False),
    "brand_kit_invalid": _BRAND_FILE,
    "brand_kit_missing": _BRAND_FILE,
    # job options
    "invalid_job": _BAD_OPTION,
    "unknown_aspect": _BAD_OPTION,
    "unknown_platform": _BAD_OPTION,
    "unknown_framework": _BAD_OPTION,
    "unknown_engine": _BAD_OPTION,
    "unknown_stage": _BAD_OPTION,
    "bad_engine_settings": _BAD_OPTION,
    "engine_not_available": ErrorHint("A chosen generator is not offered on this server",
                                      "Edit the job and choose one of the offered voices, presenters or styles.",
                                      retry_may_help=False),
    # models the operator installs
    "model_failed": _SERVER_SETUP,
    "model_load_failed": _SERVER_SETUP,
    "model_not_found": _SERVER_SETUP,
    "model_not_installed": _SERVER_SETUP,
    "unknown_model": _SERVER_SETUP,
    "unknown_kind": _SERVER_SETUP,
    "kind_without_engine": _SERVER_SETUP,
    "download_failed": _SERVER_SETUP,
    "hash_mismatch": _SERVER_SETUP,
    "import_incomplete": _SERVER_SETUP,
    "import_missing": _SERVER_SETUP,
    "licence_not_accepted": _SERVER_SETUP,
    "no_files": _SERVER_SETUP,
    "repo_not_found": _SERVER_SETUP,
    "revision_not_found": _SERVER_SETUP,
    # the job lifecycle
    "stage_failed": _MAKING_FAILED,
    "stage_timeout": ErrorHint("A step took too long",
                               "Try again; your credits were returned. A shorter video or fewer variants finish "
                               "sooner."),
    "internal_error": _SERVER_HICCUP,
    "pipeline_error": _SERVER_HICCUP,
    "input_missing": _SERVER_HICCUP,
    "plan_stalled": _SERVER_HICCUP,
    "cancelled": ErrorHint("This job was cancelled", "Retry it, or edit it first, whenever you are ready."),
    "job_not_ended": ErrorHint("This job has not ended", "Wait for it to finish, or cancel it first.",
                               retry_may_help=False),
    "job_finished": ErrorHint("This job had already finished", "Reload the page to see how it ended.",
                              retry_may_help=False),
    "not_found": _GONE,
    # billing
    "insufficient_credits": _CREDITS,
    "account_frozen": ErrorHint("Your organization's credits are on hold",
                                "Contact support to settle the refund or dispute, then try again.",
                                retry_may_help=False),
    "billing_error": _BILLING,
    "billing_not_configured": _BILLING,
    "payment_provider_error": _BILLING,
    "invalid_amount": _BILLING,
    "invalid_kind": _BILLING,
    "invalid_spec": _BAD_OPTION,
    "invalid_payload": _BILLING,
    "invalid_signature": _BILLING,
    "reason_required": _BILLING,
    "reference_required": _BILLING,
    "hold_not_found": _BILLING,
    "hold_reference_conflict": _BILLING,
    "unknown_pack": ErrorHint("That credit pack is no longer offered", "Pick one of the packs on the Billing page.",
                              retry_may_help=False),
    # campaigns
    "source_failed": _SOURCE_PROBLEM,
    "source_http_error": _SOURCE_PROBLEM,
    "source_invalid": _SOURCE_PROBLEM,
    "source_empty": ErrorHint("The campaign's product list is empty",
                              "Check the feed or the sitemap pattern matches your product pages, then run again.",
                              retry_may_help=False),
    "all_products_failed": ErrorHint("No product of this run could be made",
                                     "Open the products below to see why each failed; fix those, then run again.",
                                     retry_may_help=False),
    "invalid_schedule": ErrorHint("The campaign's schedule is not valid",
                                  "Edit the campaign and pick the schedule again.", retry_may_help=False),
}

UNKNOWN_ERROR = ErrorHint(
    "This could not be finished",
    "Try again; your credits were returned. If it fails again, send the technical details below to support.")


def error_hint_for(code: str | None) -> ErrorHint:
    """The plain-language hint for an error code (a friendly generic one for a code not in the table)."""
    return ERROR_HINTS.get(code or "", UNKNOWN_ERROR)


def error_hint(code: str | None) -> dict:
    """The hint as JSON (the API's `error_hint`)."""
    return asdict(error_hint_for(code))
