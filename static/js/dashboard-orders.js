/* Oscar 4.2's order page calls oscar.dashboard.orders.initTable(), which its dashboard.js no longer defines (a
   script error on every order page). This is the select-all box it used to set up on the lines table. */
(function () {
  "use strict";
  var orders = window.oscar && window.oscar.dashboard && window.oscar.dashboard.orders;
  if (!orders || orders.initTable) { return; }
  orders.initTable = function () {
    var table = document.querySelector("#order_lines table, form table");
    if (!table) { return; }
    var boxes = table.querySelectorAll("td:first-child input[type=checkbox]");
    var header = table.querySelector("th");
    if (!boxes.length || !header) { return; }
    var all = document.createElement("input");
    all.type = "checkbox";
    all.setAttribute("aria-label", "Select all lines");
    all.className = "mr-1";
    header.insertBefore(all, header.firstChild);
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
  };
})();
