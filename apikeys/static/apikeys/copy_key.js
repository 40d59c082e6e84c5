"use strict";
// The one-time API key message: its Copy button copies the read-only field beside it.
document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-copy-from]");
    if (!button) {
        return;
    }
    const field = document.getElementById(button.dataset.copyFrom);
    field.select();
    const done = () => { button.textContent = button.dataset.copiedLabel; };
    if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done);
    } else {
        document.execCommand("copy");
        done();
    }
});
