// Small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // Ask before destructive actions (reset password, revoke role).
  document.querySelectorAll("form#reset-password, form[action$='/revoke'], form#restore-form").forEach(function (f) {
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
// 报告模板 editor: line numbers (error lines marked), jumping to an error's line, and the
// metric catalogue searched and inserted at the cursor.
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("template-source");
  if (source) {
    var bad = (source.getAttribute("data-error-lines") || "").split(",").filter(Boolean).map(Number);
    var gutter = document.createElement("div");
    gutter.className = "code-gutter";
    gutter.setAttribute("aria-hidden", "true");
    source.parentNode.insertBefore(gutter, source);
    source.parentNode.classList.add("numbered");
    var drawn = -1;
    var draw = function () {
      var n = source.value.split("\n").length;
      if (n !== drawn) {
        drawn = n;
        var parts = [];
        for (var i = 1; i <= n; i++) {
          parts.push(bad.indexOf(i) >= 0 ? '<span class="bad">' + i + "</span>" : String(i));
        }
        gutter.innerHTML = parts.join("\n") + "\n";
      }
      gutter.scrollTop = source.scrollTop;
    };
    source.addEventListener("input", draw);
    source.addEventListener("scroll", function () { gutter.scrollTop = source.scrollTop; });
    draw();
    var gotoLine = function (line) {
      var lines = source.value.split("\n");
      var start = 0;
      for (var i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
      var end = start + (lines[line - 1] || "").length;
      source.focus();
      source.setSelectionRange(start, end);
      var lh = parseFloat(window.getComputedStyle(source).lineHeight) || 22;
      source.scrollTop = Math.max(0, (line - 4) * lh);
      source.scrollLeft = 0;
      gutter.scrollTop = source.scrollTop;
    };
    document.querySelectorAll(".goto-line").forEach(function (a) {
      a.addEventListener("click", function (e) {
        e.preventDefault();
        gotoLine(Number(a.getAttribute("data-line")));
      });
    });
    document.querySelectorAll(".insert-metric").forEach(function (b) {
      b.addEventListener("click", function () {
        if (source.readOnly) return;
        var name = b.getAttribute("data-metric").replace(/\\/g, "\\\\").replace(/"/g, '\\"');
        var text = '{{ 指标("' + name + '") }}';
        var s = source.selectionStart, e = source.selectionEnd;
        source.value = source.value.slice(0, s) + text + source.value.slice(e);
        source.focus();
        source.setSelectionRange(s + text.length, s + text.length);
        draw();
      });
    });
  }
  var search = document.getElementById("metric-search");
  if (search) {
    search.addEventListener("input", function () {
      var q = search.value.trim();
      document.querySelectorAll("#metric-list li").forEach(function (li) {
        li.hidden = q !== "" && (li.getAttribute("data-name") || "").indexOf(q) < 0;
      });
    });
  }
});
