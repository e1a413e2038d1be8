/* Item form of the catalog workspace: small progressive enhancement.
   Without JavaScript the form works as is (ORDER numbers, "删除此行" checkboxes,
   a "预览公开时限" button). With it:
   - content and basis rows get 上移/下移/删除 buttons and an "增加一项" button;
     the ORDER inputs are kept in step with the row order and hidden;
   - the time-limit fields irrelevant to the chosen kind are hidden, and the
     Chinese wording plus an example due date update live from a small JSON
     endpoint. */
(function () {
  "use strict";

  function rowsOf(container) {
    return Array.prototype.filter.call(
      container.querySelectorAll("[data-formset-row]"),
      function (row) { return !row.hidden; }
    );
  }

  function renumber(formset) {
    var list = formset.querySelector("[data-formset-rows]");
    rowsOf(list).forEach(function (row, i) {
      var order = row.querySelector("[data-order-field] input");
      if (order) { order.value = String(i + 1); }
      var position = row.querySelector("[data-position]");
      if (position) { position.textContent = String(i + 1); }
      var buttons = row.querySelectorAll("[data-move]");
      buttons.forEach(function (b) {
        b.disabled = (b.getAttribute("data-move") === "up" && i === 0) ||
          (b.getAttribute("data-move") === "down" && i === rowsOf(list).length - 1);
      });
    });
  }

  function enhanceRow(formset, row) {
    var buttons = row.querySelector("[data-row-buttons]");
    if (buttons) { buttons.hidden = false; }
    row.querySelectorAll("[data-order-field], [data-delete-field]").forEach(function (el) {
      el.hidden = true;
    });
    row.addEventListener("click", function (event) {
      var target = event.target.closest("button");
      if (!target || !row.contains(target)) { return; }
      var direction = target.getAttribute("data-move");
      if (direction === "up" || direction === "down") {
        var rows = rowsOf(row.parentNode);
        var index = rows.indexOf(row);
        if (direction === "up" && index > 0) {
          row.parentNode.insertBefore(row, rows[index - 1]);
        } else if (direction === "down" && index < rows.length - 1) {
          row.parentNode.insertBefore(rows[index + 1], row);
        }
        renumber(formset);
        target.focus();
      } else if (target.hasAttribute("data-remove")) {
        var del = row.querySelector("[data-delete-field] input[type=checkbox]");
        if (del) { del.checked = true; }
        row.hidden = true;
        renumber(formset);
        var addButton = formset.querySelector("[data-add-row]");
        if (addButton) { addButton.focus(); }
      }
    });
  }

  function enhanceFormset(formset) {
    var prefix = formset.getAttribute("data-formset");
    var total = formset.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var list = formset.querySelector("[data-formset-rows]");
    var template = formset.querySelector("template[data-empty-row]");
    rowsOf(list).forEach(function (row) { enhanceRow(formset, row); });
    formset.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
    formset.querySelectorAll(".no-js-only").forEach(function (el) { el.hidden = true; });
    var add = formset.querySelector("[data-add-row]");
    if (add && template && total) {
      add.addEventListener("click", function () {
        var index = parseInt(total.value, 10);
        var html = template.innerHTML.replace(/__prefix__/g, String(index));
        var holder = document.createElement("ol");
        holder.innerHTML = html.trim();
        var row = holder.firstElementChild;
        list.appendChild(row);
        total.value = String(index + 1);
        enhanceRow(formset, row);
        renumber(formset);
        var first = row.querySelector("input[type=text], select");
        if (first) { first.focus(); }
      });
    }
    renumber(formset);
  }

  function enhanceTimeLimit(fieldset) {
    var url = fieldset.getAttribute("data-preview-url");
    var output = fieldset.querySelector("[data-time-limit-output]");
    var example = fieldset.querySelector("[data-time-limit-example]");
    var kind = fieldset.querySelector("select[name='deadline_kind']");
    var original = output ? output.textContent.trim() : "";
    fieldset.querySelectorAll(".no-js-only").forEach(function (el) { el.hidden = true; });
    var timer = null;

    function showParts() {
      var value = kind ? kind.value : "";
      fieldset.querySelectorAll("[data-show-for]").forEach(function (el) {
        el.hidden = el.getAttribute("data-show-for").split(" ").indexOf(value) < 0;
      });
    }

    function refresh() {
      var params = new URLSearchParams();
      fieldset.querySelectorAll("input, select").forEach(function (el) {
        if (el.name) { params.append(el.name, el.value); }
      });
      params.append("original", original);
      fetch(url + "?" + params.toString(), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          if (data.ok) {
            output.textContent = data.text;
            example.textContent = data.example;
          } else {
            output.textContent = "";
            example.textContent = data.errors.join(" ");
          }
        })
        .catch(function () { /* the server-side preview button still works */ });
    }

    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 250);
    }

    if (kind) { kind.addEventListener("change", showParts); }
    fieldset.addEventListener("input", schedule);
    fieldset.addEventListener("change", schedule);
    showParts();
    if (output && !output.textContent.trim()) { refresh(); }
  }

  document.querySelectorAll("form[data-item-form]").forEach(function (form) {
    form.classList.add("js-enhanced");
    form.querySelectorAll("[data-formset]").forEach(enhanceFormset);
    form.querySelectorAll("[data-time-limit]").forEach(enhanceTimeLimit);
  });
})();
