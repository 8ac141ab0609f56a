// 맑은: the pages' one script. Everything works without it; it adds live totals to form tables,
// a button that adds table rows, dropping files onto the attachment field, a progress bar while
// the 기안 form's attachments upload (the form is sent by htmx), and a dialog that asks for the
// comment before an approval action (a reason is required for 반려 and 보류).
(function () {
  "use strict";

  function parseAmount(text) {
    var t = String(text || "").replace(/[,\s원]/g, "");
    if (!/^-?\d+$/.test(t)) return null;
    return parseInt(t, 10);
  }

  function format(n) {
    var s = String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (n < 0 ? "-" : "") + s;
  }

  function updateTotal(table) {
    var out = table.querySelector("[data-total]");
    if (!out) return;
    var sum = 0;
    table.querySelectorAll("input[data-sum]").forEach(function (input) {
      var n = parseAmount(input.value);
      if (n !== null) sum += n;
    });
    out.textContent = format(sum);
  }

  function renumber(table) {
    table.querySelectorAll("tbody tr[data-row]").forEach(function (tr, i) {
      var cell = tr.querySelector("[data-row-number]");
      if (cell) cell.textContent = String(i + 1);
      tr.querySelectorAll("input, select").forEach(function (el) {
        el.name = el.name.replace(/^(t\.[^.]+\.)\d+(\.)/, "$1" + i + "$2");
        var label = el.getAttribute("aria-label");
        if (label) el.setAttribute("aria-label", label.replace(/^\d+행/, (i + 1) + "행"));
      });
    });
  }

  function addRow(table) {
    var rows = table.querySelectorAll("tbody tr[data-row]");
    if (!rows.length) return;
    var copy = rows[rows.length - 1].cloneNode(true);
    copy.querySelectorAll("input").forEach(function (el) { el.value = ""; });
    copy.querySelectorAll("select").forEach(function (el) { el.selectedIndex = 0; });
    table.querySelector("tbody").appendChild(copy);
    renumber(table);
    var first = copy.querySelector("input, select");
    if (first) first.focus();
  }

  function setUp(root) {
    root.querySelectorAll("table[data-table]").forEach(function (table) {
      if (table.dataset.ready) return;
      table.dataset.ready = "1";
      table.addEventListener("input", function () { updateTotal(table); });
      updateTotal(table);
      var wrap = table.closest(".table-wrap");
      var button = wrap && wrap.nextElementSibling;
      if (button && button.hasAttribute("data-add-row")) {
        button.hidden = false;
        button.addEventListener("click", function () { addRow(table); });
      }
    });
    root.querySelectorAll("[data-dropzone]").forEach(function (zone) {
      if (zone.dataset.ready) return;
      zone.dataset.ready = "1";
      var input = zone.querySelector("input[type=file]");
      zone.addEventListener("dragover", function (e) { e.preventDefault(); zone.classList.add("over"); });
      zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
      zone.addEventListener("drop", function (e) {
        e.preventDefault();
        zone.classList.remove("over");
        if (input && e.dataTransfer && e.dataTransfer.files.length) input.files = e.dataTransfer.files;
      });
    });
  }

  // --- The comment dialog of the document page --------------------------------------------

  var pending = null; // { form, button, reason, label } while the dialog is open

  function dialogParts(dialog) {
    return {
      title: dialog.querySelector("[data-act-dialog-title]"),
      help: dialog.querySelector("[data-act-dialog-help]"),
      field: dialog.querySelector("[data-act-dialog-field]"),
      label: dialog.querySelector("[data-act-dialog-label]"),
      comment: dialog.querySelector("textarea"),
      error: dialog.querySelector(".field-error"),
      ok: dialog.querySelector("[data-act-dialog-ok]"),
    };
  }

  function showError(p, text) {
    p.error.textContent = text;
    p.error.hidden = !text;
    if (text) p.comment.setAttribute("aria-invalid", "true");
    else p.comment.removeAttribute("aria-invalid");
  }

  function openDialog(dialog, form, button) {
    var p = dialogParts(dialog);
    var label = button.textContent.trim();
    var reason = button.getAttribute("data-reason") || "optional";
    var inline = form.querySelector("textarea[name=comment]");
    pending = { form: form, button: button, reason: reason, label: label };
    p.title.textContent = label;
    showError(p, "");
    if (reason === "none") {
      p.field.hidden = true;
      p.help.textContent = button.getAttribute("data-help") || (label + "하시겠습니까?");
    } else {
      p.field.hidden = false;
      p.comment.value = inline ? inline.value : "";
      p.comment.required = reason === "required";
      p.label.textContent = reason === "required" ? label + " 사유 (꼭 적어 주세요)" : "의견 (적지 않아도 됩니다)";
      p.help.textContent = reason === "required"
        ? label + " 사유는 기안자와 결재선의 모든 사람에게 보이고 원장에 남습니다."
        : "적은 의견은 처리 이력에 남습니다.";
    }
    dialog.showModal();
    (reason === "none" ? p.ok : p.comment).focus();
  }

  function confirmDialog(dialog) {
    var p = dialogParts(dialog);
    if (!pending) return;
    var text = p.comment.value;
    if (pending.reason === "required" && !text.trim()) {
      showError(p, pending.label + " 사유를 적어 주세요.");
      p.comment.focus();
      return;
    }
    var inline = pending.form.querySelector("textarea[name=comment]");
    if (inline && pending.reason !== "none") inline.value = text;
    var form = pending.form;
    var button = pending.button;
    pending = null;
    dialog.close();
    form.dataset.confirmed = "1";
    form.requestSubmit(button);
  }

  function setUpActions(root) {
    var dialog = document.querySelector("[data-act-dialog]");
    if (!dialog || typeof dialog.showModal !== "function") return;
    if (!dialog.dataset.ready) {
      dialog.dataset.ready = "1";
      dialog.querySelector("form").addEventListener("submit", function (e) {
        e.preventDefault();
        confirmDialog(dialog);
      });
      dialog.querySelector("[data-act-dialog-cancel]").addEventListener("click", function () {
        pending = null;
        dialog.close();
      });
      dialog.addEventListener("close", function () { pending = null; });
      dialog.querySelector("textarea").addEventListener("input", function () {
        if (this.value.trim()) showError(dialogParts(dialog), "");
      });
    }
    root.querySelectorAll("form[data-act-form]").forEach(function (form) {
      if (form.dataset.ready) return;
      form.dataset.ready = "1";
      // The dialog asks for the comment, so the form's own box is not needed.
      var field = form.querySelector("[data-comment-field]");
      if (field) field.hidden = true;
      form.addEventListener("submit", function (e) {
        if (form.dataset.confirmed) {
          delete form.dataset.confirmed; // one confirmed submit, not every later one
          return;
        }
        var button = e.submitter;
        if (!button || !button.hasAttribute("data-reason")) return;
        e.preventDefault();
        openDialog(dialog, form, button);
      });
    });
  }

  // --- Upload progress of the 기안 form -----------------------------------------------------

  // The 기안 form that sent the request of an htmx event (some events fire on the swap target).
  function uploadForm(e) {
    var el = (e.detail && e.detail.requestConfig && e.detail.requestConfig.elt) || e.target;
    return el && el.matches && el.matches("form[data-upload-form]") ? el : null;
  }

  function hasFiles(form) {
    return Array.prototype.some.call(form.querySelectorAll("input[type=file]"), function (input) {
      return input.files && input.files.length > 0;
    });
  }

  function setProgress(form, percent, text) {
    var box = form.querySelector("[data-upload-progress]");
    if (!box) return;
    var bar = box.querySelector("progress");
    var label = box.querySelector("[data-upload-progress-label]");
    bar.value = percent;
    bar.textContent = percent + "%";
    label.textContent = text || "첨부 파일 올리는 중 " + percent + "%";
  }

  function setBusy(form, busy) {
    form.setAttribute("aria-busy", busy ? "true" : "false");
    form.querySelectorAll(".buttons button").forEach(function (b) { b.disabled = busy; });
  }

  document.addEventListener("htmx:beforeSend", function (e) {
    var form = uploadForm(e);
    if (!form) return;
    var box = form.querySelector("[data-upload-progress]");
    if (box) box.hidden = !hasFiles(form);
    setProgress(form, 0);
    setBusy(form, true);
  });

  document.addEventListener("htmx:xhr:progress", function (e) {
    var form = uploadForm(e);
    if (!form || !e.detail.lengthComputable || !e.detail.total) return;
    setProgress(form, Math.min(100, Math.floor((e.detail.loaded * 100) / e.detail.total)));
  });

  document.addEventListener("htmx:afterRequest", function (e) {
    var form = uploadForm(e);
    if (!form || !form.isConnected) return;
    setBusy(form, false);
    var xhr = e.detail.xhr;
    if (xhr && xhr.status === 0) {
      setProgress(form, 0, "보내지 못했습니다. 연결을 확인하고 다시 시도해 주세요.");
    }
  });

  // A refused form (422) or an error page comes back as a whole page: show it, as a browser
  // without the script would.
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (!uploadForm(e)) return;
    if (e.detail.xhr.status >= 400) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });

  document.addEventListener("DOMContentLoaded", function () { setUp(document); setUpActions(document); });
  document.addEventListener("htmx:load", function (e) { setUp(e.target); setUpActions(e.target); });
})();
