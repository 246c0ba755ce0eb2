// Small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // Ask before destructive actions (reset password, revoke role).
  document.querySelectorAll("form#reset-password, form[action$='/revoke']").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm("确定执行此操作吗？该操作将记入审计日志。")) e.preventDefault();
    });
  });
  // htmx requests carry the session's CSRF token.
  var csrf = document.querySelector("input[name='_csrf']");
  if (csrf) {
    document.body.addEventListener("htmx:configRequest", function (e) {
      e.detail.headers["X-CSRF-Token"] = csrf.value;
    });
  }
});
// A form shown again with an error: bring the first rejected field into view.
document.addEventListener("DOMContentLoaded", function () {
  var bad = document.querySelector(".has-error input, .has-error select, .has-error textarea, .alert[role=alert]");
  if (bad && bad.getBoundingClientRect().top > window.innerHeight) {
    bad.scrollIntoView({ block: "center" });
    if (bad.focus) bad.focus({ preventScroll: true });
  }
});
