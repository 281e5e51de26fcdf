/* The API tokens page: the Copy button puts the new token on the clipboard (or selects it, where the browser
   does not let a page write there). */
(function () {
  "use strict";
  var button = document.getElementById("copy-token");
  if (!button) { return; }
  var field = document.getElementById(button.getAttribute("data-target"));
  button.addEventListener("click", function () {
    field.select();
    var done = function () { button.textContent = button.getAttribute("data-copied"); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
}());
