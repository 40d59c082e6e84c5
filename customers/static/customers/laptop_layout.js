"use strict";
// Loaded before the admin's nav_sidebar.js (which is deferred) on the widest lists: on a screen narrower
// than they need beside their filters (a 1366 px laptop), the navigation sidebar starts folded, so every
// column fits without sideways scrolling. Only a first visit is decided here: once staff open or fold the
// sidebar with its toggle, the admin remembers their choice and this changes nothing.
if (window.innerWidth < 1600 && localStorage.getItem("django.admin.navSidebarIsOpen") === null) {
    localStorage.setItem("django.admin.navSidebarIsOpen", "false");
}
