import json
from types import SimpleNamespace

import orjson
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.utils.mediatypes import _MediaType

from beel.api.envelope import error_body, success_body


class EnvelopeJSONRenderer(JSONRenderer):
    """Wraps every API payload in the envelope: views return bare data, and the exception handler returns
    the bare `{code, message, details?}` of an error, recognised here by the error status."""

    _encoder = JSONRenderer.encoder_class()

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        is_error = response is not None and response.status_code >= 400
        body = error_body(data) if is_error else success_body(data)
        if self.get_indent(accepted_media_type or "", renderer_context or {}) is None:
            try:
                # orjson writes what DRF's JSONRenderer writes (compact, UTF-8), several times faster on a 100-row
                # page; dates, times and what orjson does not know go through DRF's encoder as before. An
                # `indent` asked for in Accept is DRF's to honour.
                rendered = orjson.dumps(body, default=self._encoder.default, option=orjson.OPT_PASSTHROUGH_DATETIME)
                # Escaped as DRF does: raw, these two line separators end a line of JavaScript.
                return rendered.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
            except (orjson.JSONEncodeError, TypeError):
                pass  # e.g. an integer past 64 bits or a lone surrogate: the standard library's encoder below
        try:
            return super().render(body, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            # A lone surrogate echoed back from the request (e.g. an unknown field's name) cannot be UTF-8;
            # \u-escaped JSON can carry it.
            return json.dumps(body, cls=self.encoder_class, ensure_ascii=True, separators=(",", ":")).encode()


class CSVRenderer(BaseRenderer):
    """Lets a download (the customers' CSV export) be asked for with `Accept: text/csv`. Those views stream
    their CSV themselves; their errors are still rendered by EnvelopeJSONRenderer (see CSVDownloadMixin)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes | str) else b""


class QualityNegotiation(DefaultContentNegotiation):
    """Every view's negotiation (REST_FRAMEWORK's DEFAULT_CONTENT_NEGOTIATION_CLASS): DRF's, but by the Accept
    header's qualities, which DRF ignores: each renderer takes the quality of the most specific range that
    matches it (RFC 9110, 12.5.1), `q=0` refuses it (`text/csv;q=0, application/json` is JSON;
    `application/json;q=0` alone a 406), and the highest quality wins, then the more specific range, then the
    view's order of renderers (JSON first) as DRF does. An Accept with no media range in it (empty, `,,,`) is
    read as none at all, `*/*`, as DRF reads a missing one (it answered 406)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        # `?format=` where the view reads one (the OpenAPI document's json or yaml), as DRF does.
        format_parameter = self.settings.URL_FORMAT_OVERRIDE
        requested_format = format_suffix or (request.query_params.get(format_parameter) if format_parameter else None)
        if requested_format:
            renderers = self.filter_renderers(renderers, requested_format)
        ranges = self.accepted_ranges(request)
        best, best_rank = None, None
        for order, renderer in enumerate(renderers):
            accepted = _most_specific_match(renderer, ranges)
            if accepted is None:
                continue
            rank = (_quality(accepted), accepted.precedence, -order)
            if rank[0] > 0 and (best_rank is None or rank > best_rank):
                best, best_rank = (renderer, accepted), rank
        if best is None:
            raise NotAcceptable(available_renderers=renderers)
        renderer, accepted = best
        # As DRF answers: the client's own range when it names the type, else the type with the range's
        # parameters (`*/*; indent=4` is indented JSON).
        if accepted.precedence >= _MediaType(renderer.media_type).precedence:
            return renderer, accepted.orig
        parameters = [f"{key}={value}" for key, value in accepted.params.items() if key != "q"]
        return renderer, ";".join([renderer.media_type, *parameters])

    def accepted_ranges(self, request) -> list[_MediaType]:
        return [_MediaType(token) for token in self.get_accept_list(request)] or [_MediaType("*/*")]


class AcceptHeaderNegotiation(QualityNegotiation):
    """Chooses by the Accept header only: a `format` query parameter is not part of the API (on a download
    DRF would otherwise answer an unknown `?format=` with a 404)."""

    settings = SimpleNamespace(URL_FORMAT_OVERRIDE=None)


class CSVDownloadNegotiation(AcceptHeaderNegotiation):
    """For the downloads that answer CSV whatever JSON-or-CSV Accept asks (a client generated from BeeL's
    contract may send `Accept: application/json` everywhere): CSV unless the client refuses it, by a `q=0` on
    the most specific range naming it (`text/csv;q=0, application/json`, `*/*;q=0`), which is a 406."""

    def select_renderer(self, request, renderers, format_suffix=None):
        chosen = super().select_renderer(request, renderers, format_suffix)
        ranges = self.accepted_ranges(request)
        for renderer in renderers:
            if isinstance(renderer, CSVRenderer):
                refusal = _most_specific_match(renderer, ranges)
                if refusal is not None and _quality(refusal) == 0:
                    raise NotAcceptable(available_renderers=renderers)
        return chosen


def _most_specific_match(renderer, ranges: list[_MediaType]) -> _MediaType | None:
    """The range of Accept that speaks of what `renderer` writes (RFC 9110, 12.5.1: the most specific one that
    matches). A range naming a charset speaks only of that charset (`text/csv;charset=latin1;q=0` refuses no
    UTF-8 CSV); its other parameters (`indent`) do not narrow it, as DRF reads them."""
    offered = _MediaType(renderer.media_type)
    written = (renderer.charset or "utf-8").lower()  # JSON is UTF-8 (RFC 8259) though its type names none
    matching = [
        accepted
        for accepted in ranges
        if offered.match(accepted) and accepted.params.get("charset", written).lower() == written
    ]
    return max(matching, key=lambda candidate: candidate.precedence) if matching else None


def _quality(media_range: _MediaType) -> float:
    """A range's `q`, 1 when absent or not a number from 0 to 1 (as Django reads it)."""
    try:
        quality = float(media_range.params.get("q", 1))
    except ValueError:
        return 1.0
    return quality if 0 <= quality <= 1 else 1.0
