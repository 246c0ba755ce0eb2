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
  // 纪实表单: show the field groups of the chosen record type only.
  var recordType = document.querySelector("select.record-type");
  if (recordType) {
    var showFields = function () {
      var option = recordType.options[recordType.selectedIndex];
      if (!option) return;
      var fields = (option.getAttribute("data-fields") || "").split(" ");
      document.querySelectorAll("[data-field]").forEach(function (el) {
        el.hidden = fields.indexOf(el.getAttribute("data-field")) < 0;
      });
      var label = document.getElementById("items-label");
      if (label) label.textContent = option.getAttribute("data-items-label") || "数量";
    };
    recordType.addEventListener("change", showFields);
    showFields();
  }
  // Attendance: typing an absence reason marks the member absent.
  document.querySelectorAll(".attendance-table input[type=text]").forEach(function (input) {
    input.addEventListener("input", function () {
      var row = input.closest("tr");
      var out = row && row.querySelector("input[type=radio][value='0']");
      if (out && input.value.trim() !== "") out.checked = true;
    });
  });
  // Choosing the organization of a new record reloads the form with its members.
  var pickOrg = document.getElementById("pick-org");
  if (pickOrg && pickOrg.form) {
    pickOrg.addEventListener("change", function () { pickOrg.form.submit(); });
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
