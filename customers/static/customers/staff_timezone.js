"use strict";
// Tell the server the browser's time zone, so the admin shows times in it (beel.locale.StaffTimezoneMiddleware).
(() => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && !document.cookie.split("; ").includes("staff_tz=" + encodeURIComponent(zone))) {
        document.cookie = "staff_tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Lax";
    }
})();
