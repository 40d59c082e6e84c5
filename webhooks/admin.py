from django import forms
from django.contrib import admin, messages
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from beel.errors import DomainError
from beel.events.models import STREAM_TYPES
from beel.tenancy import DataScope
from webhooks import services
from webhooks.models import ATTEMPTS_SHOWN, WebhookAttempt, WebhookEndpoint
from webhooks.security import UnsafeURL, check_url
from webhooks.tasks import queue_delivery


class WebhookEndpointForm(forms.ModelForm):
    event_types = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(name, name) for name in STREAM_TYPES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The event types it receives; none checked: every type, present and future."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["account", "mode", "url", "description", "event_types", "status", "disabled_reason"]

    def clean_event_types(self):
        # The choices allow known types only; stored as the API stores them (sorted, none for all).
        return services.selected_event_types(self.cleaned_data["event_types"])

    def clean(self):
        cleaned = super().clean()
        url, mode = cleaned.get("url"), cleaned.get("mode") or (self.instance.mode if self.instance.pk else None)
        if url and mode:
            try:
                check_url(url, mode=mode)
            except UnsafeURL as refusal:
                self.add_error("url", str(refusal))
        return cleaned


class RecentAttemptInline(admin.TabularInline):
    """The endpoint's last attempts, newest first; retry one from the attempts list."""

    model = WebhookAttempt
    fk_name = "endpoint"
    fields = ["at", "delivery", "succeeded", "status_code", "error", "duration_ms"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name = _("attempt")
    verbose_name_plural = format_lazy(_("last {n} attempts"), n=ATTEMPTS_SHOWN)

    def get_queryset(self, request):
        latest = WebhookAttempt.objects.order_by("-at", "-id").values("pk")
        return (
            super()
            .get_queryset(request)
            .filter(pk__in=latest.filter(endpoint=request._webhook_endpoint)[:ATTEMPTS_SHOWN])
        )


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["url", "account", "mode", "status", "failing_since", "created_at"]
    list_filter = ["status", "mode"]
    search_fields = ["url", "account__username", "description"]
    list_select_related = ["account"]
    readonly_fields = ["failing_since", "created_at", "updated_at"]
    inlines = [RecentAttemptInline]
    actions = ["rotate_secret"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "account", "mode"] if obj else self.readonly_fields

    def get_inline_instances(self, request, obj=None):
        request._webhook_endpoint = obj
        return super().get_inline_instances(request, obj) if obj else []

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            self.message_user(
                request,
                gettext("Signing secret for %(url)s: %(secret)s — copy it now, it will not be shown again.")
                % {"url": obj.url, "secret": obj.secret},
                messages.WARNING,
            )

    @admin.action(description=_("Rotate the signing secret of selected endpoints"), permissions=["change"])
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            rotated = services.rotate_secret(scope=DataScope.everything(), endpoint_id=endpoint.pk)
            self.message_user(
                request,
                gettext("New signing secret for %(url)s: %(secret)s — shown only now.")
                % {"url": rotated.url, "secret": rotated.secret},
                messages.WARNING,
            )


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(admin.ModelAdmin):
    list_display = ["at", "endpoint", "delivery", "succeeded", "status_code", "error", "duration_ms"]
    list_filter = ["succeeded", "endpoint"]
    list_select_related = ["endpoint", "delivery__event"]
    readonly_fields = [field.name for field in WebhookAttempt._meta.fields]
    actions = ["retry_deliveries"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Retry the deliveries of selected attempts"), permissions=["view"])
    def retry_deliveries(self, request, queryset):
        retried = set()
        for attempt in queryset.select_related("delivery"):
            if attempt.delivery_id in retried:
                continue
            try:
                services.schedule_retry(
                    scope=DataScope.everything(), endpoint_id=attempt.endpoint_id, delivery_id=attempt.delivery_id
                )
            except DomainError as error:
                self.message_user(request, f"{attempt}: {error.message}", messages.ERROR)
                continue
            queue_delivery(attempt.delivery_id)
            retried.add(attempt.delivery_id)
        message = ngettext("%(n)d delivery queued again.", "%(n)d deliveries queued again.", len(retried))
        self.message_user(request, message % {"n": len(retried)}, messages.SUCCESS)
